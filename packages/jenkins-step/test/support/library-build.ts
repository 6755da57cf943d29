import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir, run } from './jenkins-harness';

const repoRoot = join(packageDir, '..', '..');

/**
 * Builds what the library ships and the tests run: the CLI bundle copied into resources/ (as `npm run build` does),
 * and the control plane bin when it is missing.
 */
export async function buildLibrary(): Promise<void> {
  await step(process.execPath, ['build.mjs'], join(repoRoot, 'packages', 'cli'));
  if (!existsSync(join(repoRoot, 'packages', 'control-plane', 'dist', 'bin.cjs'))) {
    await step(process.execPath, ['build.mjs'], join(repoRoot, 'packages', 'control-plane'));
  }
  await step(process.execPath, [join('scripts', 'bundle-cli.mjs')], packageDir);
}

async function step(command: string, args: string[], cwd: string): Promise<void> {
  const { status, output } = await run(command, args, process.env, cwd);
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed (${status}):\n${output}`);
}
