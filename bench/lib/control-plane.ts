import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startControlPlane as startTestControlPlane, type TestControlPlane } from '../../e2e/support/control-plane';

export type BenchControlPlane = TestControlPlane;

/**
 * The e2e suites' real control plane process, with its data dir on the bench's disk (not the OS temp dir, which may be
 * a tmpfs) so CAS writes cost what they cost users.
 */
export async function startControlPlane(workDir: string): Promise<BenchControlPlane> {
  const dataDir = await mkdtemp(join(workDir, 'cp-'));
  const cp = await startTestControlPlane({ dataDir });
  return {
    ...cp,
    stop: async () => {
      await cp.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where the filesystem CAS keeps a blob (packages/control-plane/src/cas/filesystem-backend.ts). */
export function casBlobPath(cp: BenchControlPlane, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(cp.dataDir, 'cas', 'sha256', hex.slice(0, 2), hex);
}
