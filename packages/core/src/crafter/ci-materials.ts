import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MaterialKindName } from '../contract/model';
import type { Runner } from '../runners/runner';
import { CHAINLOOP_TS_VERSION } from '../version';
import { craftMaterial } from './add';
import type { CraftingContext } from './context';
import type { CraftedMaterial, CraftingState } from './state';

/** The name of the CHAINLOOP_RUNNER_CONTEXT material init adds in a CI. */
export const RUNNER_CONTEXT_MATERIAL = 'runner-context';

/**
 * Chainloop's init collectors: in a CI (not in a dry run), the attestation gets the runner context and, when the run
 * builds a pull or merge request, its PR info (`pr-metadata-<number>`) and the `chainloop.dev/is-pull-request`
 * annotation. Each document is written to a private temp file and crafted like any file material (validated by its
 * kind, digested, uploaded to the CAS, the contract's material policies evaluated). Best effort, as Chainloop's
 * collectors: what cannot be collected is one warning, never a failed init.
 */
export async function withCiMaterials(
  context: CraftingContext,
  state: CraftingState,
  runner: Runner,
): Promise<CraftingState> {
  if (state.dryRun || runner.type === 'RUNNER_TYPE_UNSPECIFIED') return state;
  const { detectPullRequest, IS_PULL_REQUEST_ANNOTATION, prInfoEvidence, prInfoMaterialName, runnerContextDocument } =
    await import('../runners/index');
  const materials: Record<string, CraftedMaterial> = {};
  const annotations: Record<string, string> = {};
  const directory = await mkdtemp(join(tmpdir(), 'chainloop-collected-'));
  try {
    const add = async (name: string, kind: MaterialKindName, document: unknown) => {
      const declared = state.contract.materials.find((material) => material.name === name);
      if (declared && declared.type !== kind) {
        context.log.warn(
          `${kind} not collected: the contract declares material "${name}" as ${declared.type}; rename that material to let init add it`,
        );
        return;
      }
      const path = join(directory, `${name}.json`);
      await writeFile(path, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
      materials[name] = await craftMaterial(context, state, { name, kind, value: path, annotations: {} });
      context.log.info(`material "${name}" (${kind}) collected from the ${runner.displayName} environment`);
    };

    await collect(context, 'runner context', () =>
      add(
        RUNNER_CONTEXT_MATERIAL,
        'CHAINLOOP_RUNNER_CONTEXT',
        runnerContextDocument(runner, context.env, { tool: `chainloop-ts@${CHAINLOOP_TS_VERSION}`, now: new Date() }),
      ),
    );
    await collect(context, 'pull request info', async () => {
      const detection = await detectPullRequest(runner, context.env);
      if (!detection.found) return;
      annotations[IS_PULL_REQUEST_ANNOTATION] = 'true';
      if (detection.data === undefined) {
        context.log.warn(`pull request info not collected: ${detection.unrepresentable}`);
        return;
      }
      await add(prInfoMaterialName(detection.data.number), 'CHAINLOOP_PR_INFO', prInfoEvidence(detection.data));
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return {
    ...state,
    materials: { ...state.materials, ...materials },
    annotations: { ...state.annotations, ...annotations },
  };
}

async function collect(context: CraftingContext, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    context.log.warn(`${what} not collected: ${(error as Error).message}`);
  }
}
