import { CONTROL_PLANE_DIST, ensureBuilt, freshCliBundle } from '../../../cli/test/helpers/fresh-build';
import { packageDir, run } from './jenkins-harness';

/**
 * Builds what the library ships and the tests run from the current sources: the CLI bundle copied into resources/
 * (as `npm run build` does), and the control plane the pipelines talk to. Each is rebuilt only when its sources
 * changed since its last build (see fresh-build.ts); a stale control plane would test yesterday's server.
 */
export async function buildLibrary(): Promise<void> {
  freshCliBundle();
  ensureBuilt(CONTROL_PLANE_DIST);
  const { status, output } = await run(process.execPath, ['scripts/bundle-cli.mjs'], process.env, packageDir);
  if (status !== 0) throw new Error(`scripts/bundle-cli.mjs failed (${status}):\n${output}`);
}
