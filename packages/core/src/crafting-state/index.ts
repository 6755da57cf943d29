/**
 * Reading an attestation in progress without the crafter: what `attestation status` needs (open the state store,
 * describe the state and its policy evaluations). Importing `crafter` instead evaluates every crafting module (init,
 * add, push, the material kinds) on each `status` (docs/performance.md, round 2).
 */
export { openStateStore } from '../crafter/open-store';
export type { StateStore } from '../crafter/state-store';
export {
  type AttestationStatus,
  attestationStatus,
  describePolicyEvaluation,
  type MaterialStatus,
} from '../crafter/status';
