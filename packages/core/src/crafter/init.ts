import type { ControlPlaneClient } from '../client/index';
import type { Contract } from '../contract/model';
import { ChainloopError, UsageError } from '../errors';
import { withCiMaterials } from './ci-materials';
import { type CraftingContext, requireClient } from './context';
import { readGitHead } from './git-head';
import { LocalStateStore } from './local-state-store';
import { craftingPolicyResolver } from './policy-resolver';
import { evaluateAttestationPhase } from './push';
import { RemoteStateStore } from './remote-state-store';
import { CRAFTING_STATE_VERSION, type CraftingState } from './state';
import type { StateStore } from './state-store';
import { describePolicyEvaluation } from './status';

export interface InitOptions {
  /** Contract revision; latest when undefined. */
  contractRevision?: number;
  dryRun: boolean;
  remoteState: boolean;
  replace: boolean;
  localStatePath?: string;
  /** The project version this run builds (`--project-version`), recorded as the predicate's `metadata.projectVersion`. */
  projectVersion?: string;
}

export interface InitResult {
  state: CraftingState;
  store: StateStore;
}

/**
 * `attestation init`: fetch the workflow's contract, detect and enforce the runner, resolve the contract's env
 * allow-list, create the run (not in dry-run), collect the CI's runner context and pull request (`withCiMaterials`)
 * and write the initial state.
 */
export async function initAttestation(context: CraftingContext, options: InitOptions): Promise<InitResult> {
  const client = requireClient(context.client);
  if (options.remoteState && options.dryRun) {
    throw new UsageError('REMOTE_STATE_DRY_RUN', 'remote state is not compatible with --dry-run: drop one of the two');
  }
  if (options.projectVersion !== undefined && !/^[^\s\p{Cc}]{1,256}$/u.test(options.projectVersion)) {
    throw new UsageError(
      'PROJECT_VERSION_INVALID',
      `--project-version "${options.projectVersion}" is not a version: use 1 to 256 characters without spaces (e.g. v1.2.0)`,
    );
  }
  // The contract request goes out first; git (two process starts, never failing: no head is undefined) runs while
  // the control plane answers.
  const answer = client.getCraftingContract(options.contractRevision);
  const head = readGitHead(context.cwd);
  // Loaded here, not at the top: `status` and `--version` must not pay for YAML, contracts and runners.
  const [{ parseContract }, { detectRunner, enforceRunnerType, resolveRunnerEnv }, crafting] = await Promise.all([
    import('../contract/index'),
    import('../runners/index'),
    answer,
  ]);
  const { workflow, contract: revision } = crafting;
  const contract = await withGroupMaterials(context, parseContract(revision.body));

  const runner = detectRunner(context.env);
  if (!options.dryRun) enforceRunnerType(contract.runnerType, runner);
  const runnerEnv = resolveRunnerEnv(runner, context.env);
  if (!options.dryRun && runnerEnv.missing.length > 0) {
    throw new ChainloopError(
      'RUNNER_ENV_MISSING',
      `error while resolving ${runner.displayName} environment variables: ${runnerEnv.missing.join(', ')} not set; run inside the CI job or use --dry-run`,
    );
  }

  const envVars: Record<string, string> = {};
  const missingEnv: string[] = [];
  for (const name of contract.envAllowList) {
    const value = context.env[name];
    if (value) envVars[name] = value;
    else missingEnv.push(name);
  }
  if (!options.dryRun && missingEnv.length > 0) {
    throw new ChainloopError(
      'REQUIRED_ENV_MISSING',
      `required env variables not present: ${missingEnv.join(', ')} (contract envAllowList of workflow ${workflow.name}); export them or use --dry-run`,
    );
  }

  const gitHead = await head;
  const buildState = (run: { id: string } | undefined): CraftingState => ({
    version: CRAFTING_STATE_VERSION,
    attestationId: options.remoteState ? run?.id : undefined,
    dryRun: options.dryRun,
    initializedAt: new Date().toISOString(),
    workflow: {
      id: workflow.id,
      name: workflow.name,
      team: workflow.team,
      project: workflow.project,
      contractRevision: revision.revision,
      // Chainloop names a workflow's own contract `<project>-<workflow>` (its stored statements read e.g.
      // "contractName": "myproject-mywf" for project myproject, workflow mywf); a v2 contract names itself.
      contractName: contract.name ?? `${workflow.project}-${workflow.name}`,
      ...(options.projectVersion && { projectVersion: options.projectVersion }),
      runId: run?.id,
    },
    contract,
    materials: {},
    envVars,
    runner: {
      type: runner.type,
      url: runner.runUrl(context.env),
      environment: runner.environment(context.env),
      variables: runnerEnv.values,
    },
    head: gitHead,
    annotations: {},
    // A control plane older than the setting does not answer it: ADVISORY, as before.
    blockOnPolicyViolation: crafting.blockOnPolicyViolation === true,
  });
  const createRun = () =>
    client.createRun({
      contractRevision: revision.revision,
      runnerType: runner.type,
      jobUrl: runner.runUrl(context.env),
    });

  let run: { id: string } | undefined;
  try {
    if (options.remoteState) {
      // A new run has no state yet: nothing to refuse before creating it.
      run = await createRun();
      const store = new RemoteStateStore(client, run.id);
      const state = await withInitPolicies(context, await withCiMaterials(context, buildState(run), runner));
      await store.create(state);
      return { state, store };
    }
    // The local state is checked (an attestation already in progress is refused unless --replace) before the run is
    // created, under the state's lock: a refused init creates no run that would be left failed or initialized.
    const store = new LocalStateStore(options.localStatePath);
    const { state, replaced } = await store.createWith(
      async () => {
        if (!options.dryRun) run = await createRun();
        // Collected once the run exists (their files go to its CAS), before the INIT policies, which see them.
        return withInitPolicies(context, await withCiMaterials(context, buildState(run), runner));
      },
      { replace: options.replace },
    );
    // Finished once the new state is saved: an init that fails before leaves the replaced attestation as it was.
    if (replaced) await cancelReplacedRun(context, client, replaced);
    return { state, store };
  } catch (error) {
    // The run exists but no state could be written: tell the control plane so it does not stay initialized.
    if (run)
      await client
        .resetRun(run.id, { trigger: 'failure', reason: 'init could not save the crafting state' })
        .catch(() => {});
    throw error;
  }
}

/**
 * Named materials the contract's policy groups declare join the contract's materials (Chainloop's
 * `mergePolicyGroupMaterials`: a name the contract declares keeps the contract's definition).
 */
async function withGroupMaterials(context: CraftingContext, contract: Contract): Promise<Contract> {
  if ((contract.policyGroups?.length ?? 0) === 0) return contract;
  const { contractPolicyAttachments } = await import('../policies/index');
  const { declaredMaterials } = await contractPolicyAttachments(contract, await craftingPolicyResolver(context));
  const materials = [...contract.materials];
  for (const declared of declaredMaterials) {
    if (materials.some((material) => material.name === declared.name)) continue;
    materials.push({
      name: declared.name,
      type: declared.type,
      optional: declared.optional,
      output: false,
      skipUpload: false,
      annotations: [],
    });
  }
  return { ...contract, materials };
}

/**
 * Chainloop's last step of init: the contract's INIT-phase attestation policies, evaluated on the statement rendered
 * from the new state, kept in it (push checks their gates) and logged one line each.
 */
async function withInitPolicies(context: CraftingContext, state: CraftingState): Promise<CraftingState> {
  const options = { finishedAt: new Date(), annotations: {} };
  const evaluations = await evaluateAttestationPhase(context, state, options, 'INIT');
  if (evaluations.length === 0) return state;
  for (const evaluation of evaluations) {
    const line = `policy ${describePolicyEvaluation(evaluation)} (the attestation, at init)`;
    if (evaluation.violations.length > 0) context.log.warn(line);
    else context.log.info(line);
  }
  return { ...state, attestationPolicyEvaluations: evaluations };
}

/** Why `init --replace` finishes the run of the attestation it discards (the run's `reason`). */
export const REPLACED_RUN_REASON = 'replaced by a new attestation init';

/**
 * `init --replace` discarded a state: its run (none for a dry run) is cancelled on the control plane rather than left
 * initialized until it expires. Never fails the init: a run that cannot be cancelled is one warning.
 */
async function cancelReplacedRun(
  context: CraftingContext,
  client: ControlPlaneClient,
  replaced: CraftingState,
): Promise<void> {
  const runId = replaced.workflow?.runId;
  if (replaced.dryRun || !runId) return;
  try {
    const run = await client.resetRun(runId, { trigger: 'cancellation', reason: REPLACED_RUN_REASON });
    if (run.status !== 'cancelled' || run.reason !== REPLACED_RUN_REASON) {
      context.log.warn(`run ${runId} of the replaced attestation was already ${run.status}: left as it is`);
    }
  } catch (error) {
    context.log.warn(
      `run ${runId} of the replaced attestation was not cancelled (${(error as Error).message}): it stays as it is until it expires`,
    );
  }
}
