/** The parts of `chainloop attestation status -o json` (and `init -o json`) the action reads. */
export interface AttestationStatusJson {
  attestationID: string;
  dryRun: boolean;
  workflowMeta: {
    workflowID: string;
    name: string;
    team: string;
    project: string;
    contractRevision: string;
    workflowRunID: string;
  };
  materials: Array<{ name: string; type: string; set: boolean; required: boolean; value: string; hash: string }>;
  runnerContext: { runnerType: string; jobURL: string };
}

/** The parts of `chainloop attestation finish -o json`. */
export interface FinishJson {
  finished: boolean;
  action: string;
  digest: string;
}

/** The attestation's ID: the remote-state ID, else the workflow run it created (the same ID); empty in dry-run. */
export function attestationIdOf(status: AttestationStatusJson): string {
  return status.attestationID || status.workflowMeta.workflowRunID || '';
}
