import type { InspectedAttestation } from './intake/inspect-attestation';
import type { RunRecord, WorkflowRecord } from './storage/repository';

/**
 * Decides on store whether an attestation's signature is acceptable (the default is signing/signature-verifier.ts).
 * Throw an ApiError (400 ATTESTATION_SIGNATURE_INVALID, …) to refuse the bundle; the run then stays initialized.
 */
export interface AttestationVerifier {
  verify(workflow: WorkflowRecord, attestation: InspectedAttestation, run: RunRecord): Promise<void>;
}
