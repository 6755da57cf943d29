// Post step (post-if: always()): push the attestation when the job succeeded, else mark it failed or cancelled.
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import { loadActionState } from './action-state';
import { type CliSettings, runChainloop, SIGNING_KEY_VARIABLE } from './chainloop-cli';
import { type ActionInputs, controlPlaneUrl, readInputs } from './inputs';
import type { AttestationStatusJson, FinishJson } from './status-json';
import { renderPushSummary } from './summary';
import * as workflow from './workflow-commands';

/** `chainloop attestation finish` with GitHub's job-status words, on the attestation main started. */
function finishArgs(attestationId: string | undefined, jobStatus: string): string[] {
  const idArgs = attestationId ? ['--attestation-id', attestationId] : [];
  return ['attestation', 'finish', '--ci', 'github', '--status', jobStatus, '--output', 'json', ...idArgs];
}

function resetReason(jobStatus: string): string {
  const job = process.env.GITHUB_JOB ? `job "${process.env.GITHUB_JOB}"` : 'the job';
  return `GitHub Actions: ${job} ${jobStatus}`;
}

/** The attestation in progress, or undefined when there is none (a step already pushed or reset it). */
function readStatus(settings: CliSettings, idArgs: string[]): Promise<AttestationStatusJson | undefined> {
  return runChainloop(['attestation', 'status', '--output', 'json', ...idArgs], settings, { echoStderr: false }).then(
    (stdout) => JSON.parse(stdout) as AttestationStatusJson,
    () => undefined,
  );
}

/** A run left `initialized` would only expire later: record why it ended (the step then fails with `error`). */
async function resetFailed(attestationId: string | undefined, settings: CliSettings, reason: string): Promise<void> {
  await runChainloop([...finishArgs(attestationId, 'failure'), '--reason', reason], settings).catch(() => undefined);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function push(inputs: ActionInputs, settings: CliSettings, attestationId: string | undefined): Promise<void> {
  // Read before the push, for the summary (a pushed attestation's state is gone). Nothing to read when a step already
  // pushed or reset it; finish then has nothing to do either, and says so.
  const idArgs = attestationId ? ['--attestation-id', attestationId] : [];
  let status = await readStatus(settings, idArgs);
  if (status && inputs.reports.length > 0) {
    // Added here, at the end of the job, not in main: the action's step usually runs before the steps that write the
    // reports. One add for all the patterns: the CLI checks every match before adding any, so a bad report adds
    // nothing. A pattern matching nothing is the CLI's warning, which runChainloop turns into a warning annotation.
    const globArgs = inputs.reports.flatMap((pattern) => ['--from-glob', pattern]);
    try {
      await runChainloop(['attestation', 'add', ...globArgs, ...idArgs], settings);
    } catch (error) {
      await resetFailed(attestationId, settings, `GitHub Actions: input "reports" not added: ${messageOf(error)}`);
      if (!(error instanceof ChainloopError)) throw error;
      throw new ChainloopError(error.code, `input "reports": ${error.message}`, { cause: error });
    }
    status = await readStatus(settings, idArgs);
  }
  const keyArgs = inputs.signingKey ? ['--key', `env://${SIGNING_KEY_VARIABLE}`] : [];
  let finish: FinishJson;
  try {
    finish = JSON.parse(await runChainloop([...finishArgs(attestationId, 'success'), ...keyArgs], settings));
  } catch (error) {
    await resetFailed(attestationId, settings, `GitHub Actions: push failed: ${messageOf(error)}`);
    if (inputs.signingKey || !(error instanceof Error)) throw error;
    throw new ChainloopError(
      'SIGNING_KEY_MISSING',
      `${error.message} (the action's signing-key input is empty: fill it from the secret holding cosign.key)`,
    );
  }
  if (!finish.finished) return;
  // A dry run signs but stores nothing, so it has no digest; its summary says so.
  if (finish.digest) {
    workflow.setOutput('digest', finish.digest);
    workflow.info(`Attestation pushed: ${finish.digest}`);
  }
  if (status) workflow.appendStepSummary(renderPushSummary(status, finish.digest));
}

async function run(): Promise<void> {
  const state = loadActionState();
  if (!state.initialized) {
    workflow.info('The main step did not start an attestation: nothing to finish');
    return;
  }
  const inputs = readInputs();
  const jobStatus = inputs.jobStatus;
  if (!jobStatus) {
    throw new UsageError(
      'INPUT_JOB_STATUS_MISSING',
      'input "job-status" is empty: leave its default (the job.status expression) or pass success, failure or cancelled',
    );
  }
  const settings: CliSettings = {
    controlPlane: controlPlaneUrl(inputs),
    token: inputs.token,
    signingKey: inputs.signingKey,
    signingKeyPassword: inputs.signingKeyPassword,
  };
  if (jobStatus === 'success') return push(inputs, settings, state.attestationId);
  // failure → reset with trigger failure, cancelled → cancellation; an unknown word is the CLI's usage error.
  await runChainloop([...finishArgs(state.attestationId, jobStatus), '--reason', resetReason(jobStatus)], settings);
}

run().catch((error: unknown) => workflow.setFailed(error instanceof Error ? error.message : String(error)));
