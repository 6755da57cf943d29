// Entry point of the worker threads that inspect pushed attestations (see inspection-pool.ts).
import { type InspectionOutcome, type InspectionRequest, inspectAttestation } from './inspect-attestation';

export default function inspect(request: InspectionRequest): Promise<InspectionOutcome> {
  return inspectAttestation(request);
}
