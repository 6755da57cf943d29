import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The OCI suite's fixtures drive the real tools (docker-registry, umoci, skopeo); the e2e suites reuse them.
import { buildImage, pushImage, skopeoDigest } from '../../packages/core/test/oci/fixtures/images';
import { startRegistry } from '../../packages/core/test/oci/fixtures/registry';

export interface SeedImage {
  /** `127.0.0.1:<port>/skynet-control-plane:v0.7.6`: added by tag, as the seed does. */
  reference: string;
  repository: string;
  /** What skopeo reports for the pushed image: the digest the attestation must record. */
  digest: string;
  stop(): Promise<void>;
}

/** A real registry on loopback holding the seed's image, built with umoci and pushed with skopeo. */
export async function startSeedImage(): Promise<SeedImage> {
  const registry = await startRegistry();
  const layout = join(mkdtempSync(join(tmpdir(), 'seed-image-')), 'oci');
  try {
    await buildImage(layout, 'v0.7.6', 'skynet control plane\n');
    const repository = `${registry.host}/skynet-control-plane`;
    const reference = `${repository}:v0.7.6`;
    await pushImage(layout, 'v0.7.6', reference);
    return { reference, repository, digest: await skopeoDigest(reference), stop: registry.stop };
  } catch (error) {
    await registry.stop();
    throw error;
  } finally {
    rmSync(join(layout, '..'), { recursive: true, force: true });
  }
}
