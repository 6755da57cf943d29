import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** Builds what is measured: the bundled CLI (what CI adapters ship) and the control plane bin. */
export function buildBundles(): void {
  for (const pkg of ['control-plane', 'cli']) {
    const result = spawnSync(process.execPath, ['build.mjs'], {
      cwd: join(repoRoot, 'packages', pkg),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`building packages/${pkg} failed (exit ${result.status})`);
  }
}
