import * as workflow from './workflow-commands';

/**
 * What main hands to post through $GITHUB_STATE (the runner gives it back as STATE_* variables). Only identifiers:
 * secrets are read again from the inputs, which the runner also passes to the post step.
 */
export interface ActionState {
  /** main got as far as a successful init, so there is an attestation to finish. */
  initialized: boolean;
  /** Set with remote state: later commands address the attestation by it. */
  attestationId?: string;
}

const INITIALIZED = 'initialized';
const ATTESTATION_ID = 'attestation_id';

export function saveActionState(state: ActionState): void {
  workflow.saveState(INITIALIZED, String(state.initialized));
  if (state.attestationId) workflow.saveState(ATTESTATION_ID, state.attestationId);
}

export function loadActionState(): ActionState {
  return {
    initialized: workflow.getState(INITIALIZED) === 'true',
    attestationId: workflow.getState(ATTESTATION_ID) || undefined,
  };
}
