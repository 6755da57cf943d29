import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DsseEnvelope, Signer } from '../attestation/index';
import { ChainloopError } from '../errors';
import { mergeAnnotations } from './annotations';
import { type CraftingContext, requireClient } from './context';
import { notInitialized } from './local-state-store';
import { type ChainloopStatement, renderStatement } from './render';
import { type CraftingState, missingRequiredMaterials } from './state';
import type { StateStore } from './state-store';

/** Store attempts when the control plane is down: the state is kept after the last one, so a later push works. */
export const DEFAULT_STORE_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

export interface PushOptions {
  /**
   * Produces the signer (cosign key, or keyless for the state's run); called only once the attestation is known to
   * be complete.
   */
  signer: (state: CraftingState) => Promise<Signer>;
  annotations: Record<string, string>;
  /** Also write the Sigstore bundle JSON here. */
  bundlePath?: string;
  retryDelaysMs?: number[];
}

export interface PushResult {
  statement: ChainloopStatement;
  envelope: DsseEnvelope;
  bundleJson: string;
  /** `sha256:…` of the stored bundle; undefined in dry-run. */
  digest?: string;
  dryRun: boolean;
}

/**
 * `attestation push`: refuse an incomplete attestation (listing every missing material), render and sign the
 * statement, store the bundle in the control plane (not in dry-run), and only then forget the state.
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
  const statement = renderStatement(state, { finishedAt: new Date(), annotations });
  const signer = await options.signer(state);
  const { signStatement } = await import('../attestation/index');
  const { envelope, bundleJson } = await signStatement(statement, signer);

  let digest: string | undefined;
  if (!state.dryRun) {
    const runId = state.workflow.runId;
    if (!runId) throw new ChainloopError('STATE_CORRUPT', `${store.description} has no run id: run init again`);
    digest = await storeWithRetry(context, runId, bundleJson, options.retryDelaysMs ?? DEFAULT_STORE_RETRY_DELAYS_MS);
  }
  if (options.bundlePath) await writeFile(resolve(context.cwd, options.bundlePath), bundleJson);
  await store.clear();
  return { statement, envelope, bundleJson, digest, dryRun: state.dryRun };
}

const RETRYABLE = new Set(['CONTROL_PLANE_UNREACHABLE', 'CONTROL_PLANE_UNAVAILABLE', 'INTERNAL', 'INTERNAL_ERROR']);

async function storeWithRetry(
  context: CraftingContext,
  runId: string,
  bundleJson: string,
  delays: number[],
): Promise<string> {
  const client = requireClient(context.client);
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.storeAttestation(runId, bundleJson)).digest;
    } catch (error) {
      const retryable = error instanceof ChainloopError && RETRYABLE.has(error.code);
      if (!retryable || attempt >= delays.length) {
        if (retryable) {
          throw new ChainloopError(
            (error as ChainloopError).code,
            `${(error as Error).message}; the attestation state is kept: run chainloop attestation push again once the control plane is reachable`,
            { cause: error },
          );
        }
        throw error;
      }
      context.log.warn(`control plane not reachable, retrying push in ${delays[attempt]} ms`);
      await new Promise((done) => setTimeout(done, delays[attempt]));
    }
  }
}
