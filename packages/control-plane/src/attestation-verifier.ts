import type { WorkflowRecord } from './storage/repository';

/**
 * Hook for checking an attestation's signature on store, once a workflow can register a public key or the bundle
 * carries a certificate from our CA (the signing module lives in @chainloop-ts/core/attestation). Throw an
 * ApiError (400 ATTESTATION_SIGNATURE_INVALID) to refuse the bundle.
 */
export interface AttestationVerifier {
  verify(workflow: WorkflowRecord, bundleJson: string): Promise<void>;
}

/** Today no workflow has a registered key, so nothing is checked. */
export const acceptAllVerifier: AttestationVerifier = {
  async verify() {},
};
