import type { CraftingContext } from '../crafter/context';
import { type PushOptions, type PushResult, pushAttestation } from '../crafter/push';
import { resetAttestation } from '../crafter/reset';
import type { StateStore } from '../crafter/state-store';
import { type CiName, type FinishAction, finishActionFor, type JobStatusOptions } from './job-status';

export interface FinishOptions extends JobStatusOptions {
  ci: CiName;
  /** The CI's own word for how the job ended (GitLab `failed`, Jenkins `ABORTED`, …). */
  status: string;
  push: PushOptions;
  reason?: string;
}

export interface FinishResult {
  action: FinishAction;
  /** False when there was nothing left to finish: finishing twice, or after a push, is harmless. */
  finished: boolean;
  push?: PushResult;
  /** A reset of a dry run: the state was discarded, nothing was marked in the control plane. */
  dryRun?: boolean;
}

/** Ends an attestation with the CI's job status: success pushes, failure and cancellation reset. Idempotent. */
export async function finishAttestation(
  context: CraftingContext,
  store: StateStore,
  options: FinishOptions,
): Promise<FinishResult> {
  const action = finishActionFor(options.ci, options.status, options);
  if (!(await store.read())) return { action, finished: false };
  if (action.action === 'push') {
    return { action, finished: true, push: await pushAttestation(context, store, options.push) };
  }
  const reason = options.reason ?? `${options.ci} job status ${options.status}`;
  const { reset, dryRun } = await resetAttestation(context, store, { trigger: action.trigger, reason });
  return { action, finished: reset, dryRun };
}
