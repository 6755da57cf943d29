import type { RunRecord, WorkflowRecord } from './storage/repository';

/**
 * Checks an attestation's signature on store (the default is signing/signature-verifier.ts). Throw an ApiError
 * (400 ATTESTATION_SIGNATURE_INVALID, …) to refuse the bundle; the run then stays initialized.
 */
export interface AttestationVerifier {
  verify(workflow: WorkflowRecord, bundleJson: string, run: RunRecord): Promise<void>;
}
