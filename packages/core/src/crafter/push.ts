import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DsseEnvelope, Signer } from '../attestation/index';
import type { ControlPlaneClient } from '../client/index';
import type { AttestationPhase } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import { type PolicyEvaluation, violationMessages } from '../policies/evaluation';
import { mergeAnnotations } from './annotations';
import { type CraftingContext, requireClient } from './context';
import { notInitialized } from './local-state-store';
import { craftingPolicyResolver } from './policy-resolver';
import { allPolicyEvaluations, type ChainloopStatement, type RenderOptions, renderStatement } from './render';
import { type CraftingState, missingRequiredMaterials } from './state';
import type { StateStore } from './state-store';

/**
 * Attempts when the control plane is down, for each call a push makes (the signing certificate, the store, and the
 * check after a lost answer): the state is kept after the last one, so a later push works.
 */
export const DEFAULT_STORE_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

export interface PushOptions {
  /**
   * Produces the signer (cosign key, or keyless for the state's run); called only once the attestation is known to
   * be complete, and again while the control plane cannot be reached (a keyless signer asks it for a certificate).
   */
  signer: (state: CraftingState) => Promise<Signer>;
  annotations: Record<string, string>;
  /** Also write the Sigstore bundle JSON here. */
  bundlePath?: string;
  retryDelaysMs?: number[];
  /** `--exception-bypass-policy-check`: push even when a gated policy has violations, and record that it did. */
  bypassPolicyCheck?: boolean;
}

export interface PushResult {
  statement: ChainloopStatement;
  envelope: DsseEnvelope;
  bundleJson: string;
  /** `sha256:…` of the stored bundle; undefined in dry-run. */
  digest?: string;
  dryRun: boolean;
  /**
   * The control plane already had this statement from an earlier push whose answer was lost: nothing was signed, and
   * the envelope, bundle and digest are the stored ones.
   */
  alreadyStored?: boolean;
}

/**
 * `attestation push`: refuse an incomplete attestation (listing every missing material), render and sign the
 * statement, store the bundle in the control plane (not in dry-run), and only then forget the state.
 *
 * A push whose answer was lost (the statement may have been stored) records when its statement was finished, so the
 * next push renders the same statement; that push first asks the control plane whether the run already holds it,
 * and if so finishes with the stored attestation without signing (a finished run gets no keyless certificate).
 */
export async function pushAttestation(
  context: CraftingContext,
  store: StateStore,
  options: PushOptions,
): Promise<PushResult> {
  const state = await store.read();
  if (!state) throw notInitialized(store.description);
  const missing = missingRequiredMaterials(state);
  if (missing.length > 0) {
    throw new ChainloopError(
      'MATERIALS_MISSING',
      `some materials have not been crafted yet: ${missing.join(', ')}; add them with chainloop attestation add --name NAME --value VALUE`,
    );
  }
  const annotations = mergeAnnotations(
    state.contract.annotations,
    state.annotations,
    options.annotations,
    'the attestation',
  );
  const recorded = state.pendingPush ? new Date(state.pendingPush.finishedAt) : undefined;
  const finishedAt = recorded && !Number.isNaN(recorded.getTime()) ? recorded : new Date();
  const renderOptions = await withPolicies(context, state, {
    finishedAt,
    annotations,
    bypassPolicyCheck: options.bypassPolicyCheck === true,
  });
  checkPolicyGates(context, state, renderOptions);
  const statement = renderStatement(state, renderOptions);
  const delays = options.retryDelaysMs ?? DEFAULT_STORE_RETRY_DELAYS_MS;
  let runId: string | undefined;
  if (!state.dryRun) {
    runId = state.workflow.runId;
    if (!runId) throw new ChainloopError('STATE_CORRUPT', `${store.description} has no run id: run init again`);
  }

  if (runId && state.pendingPush) {
    const stored = await storedEarlier(context, runId, state, renderOptions, delays);
    if (stored) {
      context.log.info(
        `the control plane already had this attestation (${stored.digest}): the answer to an earlier push was lost; nothing was signed again`,
      );
      if (options.bundlePath) await writeFile(resolve(context.cwd, options.bundlePath), stored.bundleJson);
      await store.clear();
      return { statement, ...stored, dryRun: false, alreadyStored: true };
    }
  }

  const signer = await withRetry(context, () => options.signer(state), delays);
  const { signStatement } = await import('../attestation/index');
  const { envelope, bundleJson } = await signStatement(statement, signer);

  let digest: string | undefined;
  if (runId) {
    const client = requireClient(context.client);
    const id = runId;
    let mayBeStored = false;
    const storeOnce = async () => {
      try {
        return await client.storeAttestation(id, bundleJson);
      } catch (error) {
        mayBeStored ||= mayHaveBeenStored(error);
        throw error;
      }
    };
    try {
      digest = (await withRetry(context, storeOnce, delays)).digest;
    } catch (error) {
      // The statement may have been stored and only the answer lost: the next push must render it again as it is.
      if (mayBeStored && !state.pendingPush) await recordPendingPush(store, finishedAt);
      throw error;
    }
  }
  if (options.bundlePath) await writeFile(resolve(context.cwd, options.bundlePath), bundleJson);
  await store.clear();
  return { statement, envelope, bundleJson, digest, dryRun: state.dryRun };
}

/**
 * The attestation's own evaluations for the render options: those of init, and the contract's PUSH-phase policies
 * evaluated on the statement as it is without them (as Chainloop does), a PUSH result replacing the INIT one of the
 * same policy.
 */
async function withPolicies(
  context: CraftingContext,
  state: CraftingState,
  options: RenderOptions,
): Promise<RenderOptions> {
  const atInit = state.attestationPolicyEvaluations ?? [];
  const atPush = await evaluateAttestationPhase(context, state, options, 'PUSH');
  const pushed = new Set(atPush.map((evaluation) => evaluation.name));
  const attestationEvaluations = [...atInit.filter((evaluation) => !pushed.has(evaluation.name)), ...atPush];
  return attestationEvaluations.length === 0 ? options : { ...options, attestationEvaluations };
}

/**
 * The contract's attestation policies (its own and its groups') for one phase, evaluated on the statement as `options`
 * render it; nothing is loaded when the contract attaches no policy.
 */
export async function evaluateAttestationPhase(
  context: CraftingContext,
  state: CraftingState,
  options: RenderOptions,
  phase: AttestationPhase,
): Promise<PolicyEvaluation[]> {
  const { contract } = state;
  if ((contract.policies?.attestation.length ?? 0) === 0 && (contract.policyGroups?.length ?? 0) === 0) return [];
  const { contractPolicyAttachments, evaluateAttestationPolicies } = await import('../policies/index');
  const resolver = await craftingPolicyResolver(context);
  const attachments = await contractPolicyAttachments(contract, resolver);
  if (attachments.attestation.length === 0) return [];
  const draft = renderStatement(state, options) as unknown as Record<string, unknown>;
  return evaluateAttestationPolicies(attachments.attestation, draft, phase, {
    resolver,
    onIgnoredInputs: (policy, names) =>
      context.log.warn(`policy "${policy}" declares no input ${names.join(', ')}: ignored`),
  });
}

/**
 * Refuses the push while a gated policy has violations, or any policy has when the organisation enforces policies
 * (`blockOnPolicyViolation`, ENFORCED) — before anything is signed or stored, so the state is kept and the job can fix
 * the material, add it again and push again; with the bypass it only warns.
 */
function checkPolicyGates(context: CraftingContext, state: CraftingState, options: RenderOptions): void {
  const enforced = state.blockOnPolicyViolation === true;
  const blocking = allPolicyEvaluations(Object.values(state.materials), options.attestationEvaluations).filter(
    (evaluation) => evaluation.violations.length > 0 && (evaluation.gate || enforced),
  );
  if (blocking.length === 0) return;
  // Enforced, gated and advisory policies are listed together: the gates are marked.
  const list = blocking.map((evaluation) => describeBlockingViolations(evaluation, enforced)).join('; ');
  if (options.bypassPolicyCheck) {
    context.log.warn(
      enforced
        ? `policy violations bypassed with --exception-bypass-policy-check (the organisation enforces policies): ${list}`
        : `policy gates bypassed with --exception-bypass-policy-check: ${list}`,
    );
    return;
  }
  const fix =
    'fix the material and add it again with chainloop attestation add, or push with --exception-bypass-policy-check (the attestation state is kept)';
  if (enforced) {
    throw new ChainloopError(
      'POLICY_VIOLATIONS_ENFORCED',
      `the attestation is blocked by policy violations: the organisation enforces policies (ENFORCED: any violation blocks the push, gate or not): ${list}; ${fix}`,
      { exitCode: 4, graceful: false },
    );
  }
  throw new ChainloopError(
    'POLICY_GATE_FAILED',
    `the attestation is blocked by policy gates with violations: ${list}; ${fix}`,
    { exitCode: 4, graceful: false },
  );
}

function describeBlockingViolations(evaluation: PolicyEvaluation, markGates: boolean): string {
  const target = evaluation.materialName === '' ? 'the attestation' : `material "${evaluation.materialName}"`;
  const gate = markGates && evaluation.gate ? ' [gate]' : '';
  return `policy "${evaluation.name}"${gate} on ${target} (${violationMessages(evaluation).join(' | ')})`;
}

const RETRYABLE = new Set(['CONTROL_PLANE_UNREACHABLE', 'CONTROL_PLANE_UNAVAILABLE', 'INTERNAL', 'INTERNAL_ERROR']);

function isRetryable(error: unknown): error is ChainloopError {
  return error instanceof ChainloopError && RETRYABLE.has(error.code);
}

/**
 * Whether a failed store may nonetheless have stored the bundle: a lost answer (reset connection, timeout) or a 5xx.
 * Not when the control plane was never reached (refused, unresolvable), nor when it answered with a refusal (4xx).
 */
function mayHaveBeenStored(error: unknown): boolean {
  if (!(error instanceof ChainloopError)) return false;
  const { status, requestMayHaveArrived } = error as { status?: number; requestMayHaveArrived?: boolean };
  if (status !== undefined) return status >= 500;
  return error.code === 'CONTROL_PLANE_UNREACHABLE' && requestMayHaveArrived !== false;
}

/**
 * Runs one control plane call of a push, again after each delay while the control plane cannot be reached (or fails
 * inside); the last failure says the state is kept.
 */
async function withRetry<T>(context: CraftingContext, call: () => Promise<T>, delays: number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= delays.length) {
        throw new ChainloopError(
          error.code,
          `${error.message}; the attestation state is kept: run chainloop attestation push again once the control plane is reachable`,
          { cause: error },
        );
      }
      context.log.warn(`control plane not reachable, retrying push in ${delays[attempt]} ms`);
      await new Promise((done) => setTimeout(done, delays[attempt]));
    }
  }
}

/** Best effort: a state that cannot be written now (remote state, control plane down) leaves the push as it was. */
async function recordPendingPush(store: StateStore, finishedAt: Date): Promise<void> {
  try {
    await store.update((current) => ({ ...current, pendingPush: { finishedAt: finishedAt.toISOString() } }));
  } catch {
    // The push's own error is what the user must see.
  }
}

/**
 * After a push whose answer was lost: the stored attestation when the run already succeeded with this very statement;
 * undefined when the run has none yet (push as usual). "This very statement" is the state rendered again at the
 * stored statement's own finishedAt, byte for byte: so it is recognised even when the time of the earlier push could
 * not be kept (remote state cannot be written once the run succeeded). A run attested with another statement is
 * refused as the control plane would refuse it, before signing anything.
 */
async function storedEarlier(
  context: CraftingContext,
  runId: string,
  state: CraftingState,
  renderOptions: RenderOptions,
  delays: number[],
): Promise<{ envelope: DsseEnvelope; bundleJson: string; digest: string } | undefined> {
  const client: ControlPlaneClient = requireClient(context.client);
  const run = await withRetry(context, () => client.getRun(runId), delays);
  if (run.status !== 'succeeded') return undefined;
  const stored = await withRetry(context, () => client.getAttestation(runId), delays);
  const envelope = storedEnvelope(stored.bundle);
  const storedPayload = envelope ? Buffer.from(envelope.payload, 'base64') : undefined;
  const storedFinishedAt = storedPayload ? finishedAtOf(storedPayload) : undefined;
  if (envelope && storedPayload && storedFinishedAt) {
    const again = renderStatement(state, { ...renderOptions, finishedAt: storedFinishedAt });
    if (Buffer.from(JSON.stringify(again), 'utf8').equals(storedPayload)) {
      return { envelope, bundleJson: stored.bundle, digest: stored.digest };
    }
  }
  throw new ChainloopError(
    'RUN_ALREADY_ATTESTED',
    `workflow run ${runId} already has attestation ${stored.digest}: this statement differs from it (materials or annotations changed since the earlier push whose answer was lost); start a new run to attest again, or drop this one with chainloop attestation reset`,
  );
}

/** `predicate.metadata.finishedAt` of a stored statement, when it has a valid one. */
function finishedAtOf(payload: Buffer): Date | undefined {
  try {
    const value = (JSON.parse(payload.toString('utf8')) as { predicate?: { metadata?: { finishedAt?: unknown } } })
      .predicate?.metadata?.finishedAt;
    const date = typeof value === 'string' ? new Date(value) : undefined;
    return date && !Number.isNaN(date.getTime()) && date.toISOString() === value ? date : undefined;
  } catch {
    return undefined;
  }
}

/** The DSSE envelope of a stored bundle, as push prints it; undefined when the bundle has none. */
function storedEnvelope(bundleJson: string): DsseEnvelope | undefined {
  try {
    const { dsseEnvelope } = JSON.parse(bundleJson) as {
      dsseEnvelope?: { payloadType?: unknown; payload?: unknown; signatures?: Array<{ keyid?: string; sig: string }> };
    };
    if (typeof dsseEnvelope?.payload !== 'string' || typeof dsseEnvelope.payloadType !== 'string') return undefined;
    return {
      payloadType: dsseEnvelope.payloadType,
      payload: dsseEnvelope.payload,
      signatures: (dsseEnvelope.signatures ?? []).map((signature) => ({
        keyid: signature.keyid ?? '',
        sig: signature.sig,
      })),
    };
  } catch {
    return undefined;
  }
}
