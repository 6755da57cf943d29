import type { Signer } from '../attestation/index';
import { ChainloopError } from '../errors';
import type { ControlPlaneClient } from './control-plane-client';
import { ControlPlaneError } from './control-plane-error';

/**
 * Keyless signing, as Chainloop does it: an ephemeral P-256 key, certified for the run by the control plane's
 * CA. The key lives in memory only; the returned signer carries the chain, so the bundle gets the leaf certificate.
 * Without a run (dry-run) there is nothing to certify the key for.
 */
export async function createKeylessSigner(client: ControlPlaneClient, runId: string | undefined): Promise<Signer> {
  if (!runId) {
    throw new ChainloopError(
      'KEYLESS_NEEDS_RUN',
      'keyless signing needs a workflow run in the control plane and a dry run has none: pass a cosign key with --key FILE or --key env://VAR',
    );
  }
  const { generateEphemeralSigner } = await import('../attestation/index');
  const { signer, csrPem } = await generateEphemeralSigner();
  let chainPem: string[];
  try {
    ({ chainPem } = await client.requestSigningCertificate(runId, csrPem));
  } catch (error) {
    // A control plane without keyless signing (older, or another implementation) has no such route.
    if (error instanceof ControlPlaneError && error.status === 404 && error.code === 'ROUTE_NOT_FOUND') {
      throw new ChainloopError(
        'KEYLESS_UNAVAILABLE',
        `keyless signing is not available from the control plane at ${client.baseUrl}: pass a cosign key with --key FILE or --key env://VAR`,
        { cause: error },
      );
    }
    throw error;
  }
  signer.setCertificateChain(chainPem);
  return signer;
}
