import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliBundle = join(repoRoot, 'packages', 'cli', 'dist', 'chainloop.cjs');
export const controlPlaneBin = join(repoRoot, 'packages', 'control-plane', 'dist', 'bin.cjs');
export const fixtures = join(repoRoot, 'fixtures');
export const vectors = join(fixtures, 'vectors');
