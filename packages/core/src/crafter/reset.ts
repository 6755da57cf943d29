import { type CraftingContext, requireClient } from './context';
import type { StateStore } from './state-store';

export type ResetTrigger = 'failure' | 'cancellation';

export interface ResetResult {
  /** False when there was nothing to reset (no attestation in progress, e.g. after a successful push). */
  reset: boolean;
  runId?: string;
  /** The attestation was a dry run: only its local state was discarded, nothing was marked in the control plane. */
  dryRun?: boolean;
}

/** `attestation reset`: tell the control plane the run failed or was cancelled (not in dry-run), then forget the state. */
export async function resetAttestation(
  context: CraftingContext,
  store: StateStore,
  options: { trigger: ResetTrigger; reason?: string },
): Promise<ResetResult> {
  const state = await store.read();
  if (!state) return { reset: false };
  const runId = state.workflow.runId;
  if (!state.dryRun && runId) {
    await requireClient(context.client).resetRun(runId, { trigger: options.trigger, reason: options.reason });
  }
  await store.clear();
  return { reset: true, runId, dryRun: state.dryRun };
}
