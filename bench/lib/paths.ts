import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliBundle = join(repoRoot, 'packages', 'cli', 'dist', 'chainloop.cjs');
export const controlPlaneBin = join(repoRoot, 'packages', 'control-plane', 'dist', 'bin.cjs');
export const vectors = join(repoRoot, 'fixtures', 'vectors');
export const benchFixtures = join(repoRoot, 'bench', 'fixtures');
export const signingKey = join(vectors, 'keys', 'generated__p256_N65536.key');
/** The vector key's documented password (fixtures/vectors/README.md); a test fixture, not a secret. */
export const signingPassword = 'correct horse battery staple';
