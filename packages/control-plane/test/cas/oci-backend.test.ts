// The OCI CAS backend against Debian's docker-registry on loopback, anonymous and with htpasswd Basic auth. Small
// chunks (1 MiB monolithic, 4 MiB per PATCH) so the conformance suite's larger blobs take several PATCH requests.
import { OciCasBackend } from '../../src/cas/oci-backend';
import { startCasRegistry } from '../helpers/cas-registry';
import { casConformance } from './cas-conformance';

for (const auth of ['anonymous', 'htpasswd'] as const) {
  casConformance(`OCI registry (${auth})`, async () => {
    const registry = await startCasRegistry(auth);
    const backend = new OciCasBackend(registry.location(), {
      monolithicMaxBytes: 1024 * 1024,
      chunkBytes: 4 * 1024 * 1024,
    });
    await backend.init();
    return {
      backend,
      bytesInFlight: () => registry.uploadedBytes(),
      leftovers: () => registry.uploads(),
      close: () => registry.stop(),
    };
  });
}
