import { resolve } from 'node:path';
import { isMaterialKindName } from '../contract/enum-names';
import { MATERIAL_KINDS, type MaterialKindName } from '../contract/model';
import { ChainloopError, isChainloopError, UsageError } from '../errors';
import type { MaterialInput } from '../materials/kind';
import { type AddResult, commitMaterials, craftMaterial } from './add';
import { mergeAnnotations } from './annotations';
import type { CraftingContext } from './context';
import { expandMaterialGlobs } from './expand-material-globs';
import { hashFile } from './file-digest';
import { LocalStateStore, notInitialized } from './local-state-store';
import { materialNameFromFile, uniqueMaterialName } from './material-name-from-file';
import type { CraftedMaterial, CraftingState } from './state';
import type { StateStore } from './state-store';

export interface AddFromGlobOptions {
  /** `--from-glob` patterns, relative to the context's working directory (repeatable). */
  patterns: string[];
  /** `--kind`: every match must be of this kind; undefined or `auto` detects each file's kind. */
  kind?: string;
  /** `--annotation` values, applied to every material added. */
  annotations: Record<string, string>;
  /** Passed to the kinds, as `AddOptions.materialOptions`. */
  materialOptions?: Record<string, unknown>;
  /**
   * Leave out a file whose bytes the attestation already holds (an info line names the material): for reports a CI
   * job declares, which its script may have added already.
   */
  skipAttested?: boolean;
}

export interface GlobAddedMaterial extends AddResult {
  /** The matched file, relative to the working directory (as the pattern matched it). */
  file: string;
}

/** One matched file and the material it becomes. */
interface PlannedMaterial {
  file: string;
  name: string;
  /** The contract's kind when the file fills a declared material, else --kind; undefined until detected. */
  kind?: MaterialKindName;
}

/**
 * `attestation add --from-glob`: every file the patterns match becomes its own material, named after the file
 * (`materialNameFromFile`; a name in use, in the attestation or earlier in this batch, gets `-1`, `-2`, …). A derived
 * name the contract declares, and that is not yet filled, makes the file fill that declared material (it must be of
 * the declared kind); nothing already in the attestation is replaced.
 *
 * All or nothing: every file is validated (as `kind`, as the declared kind, or by auto-detection) before any is
 * uploaded, and the state is saved once at the end, so a wrong file leaves the attestation as it was and the job can
 * be fixed and rerun without duplicates. Each material's policies are evaluated as a single `add` does.
 * A pattern that matches nothing is a warning naming it and the working directory, not an error.
 */
export async function addMaterialsFromGlob(
  context: CraftingContext,
  store: StateStore,
  options: AddFromGlobOptions,
): Promise<GlobAddedMaterial[]> {
  const requestedKind = requestedGlobKind(options.kind);
  const state = await store.read();
  if (!state) throw notInitialized(store.description);
  const matches = await expandMaterialGlobs(options.patterns, context.cwd, isStateFile(store));
  for (const pattern of matches.unmatched) {
    context.log.warn(`--from-glob ${JSON.stringify(pattern)} matched no file in ${context.cwd}: nothing added for it`);
  }
  const files = options.skipAttested ? await notYetAttested(context, state, matches.files) : matches.files;
  if (files.length === 0) return [];

  const planned = planMaterials(files, state.contract.materials, Object.keys(state.materials), requestedKind);
  const refusals: string[] = [];
  const checked: Array<Required<PlannedMaterial>> = [];
  for (const material of planned) {
    const verdict = await validate(context, material, state.contract.materials, requestedKind, options);
    if ('refusal' in verdict) refusals.push(verdict.refusal);
    else checked.push({ ...material, kind: verdict.kind });
  }
  if (refusals.length > 0) throw refused(context, refusals, files.length);

  const crafted: CraftedMaterial[] = [];
  for (const { file, name, kind } of checked) {
    try {
      crafted.push(
        await craftMaterial(context, state, {
          name,
          value: file,
          kind,
          annotations: options.annotations,
          materialOptions: options.materialOptions,
        }),
      );
    } catch (error) {
      // An upload that fails half-way: the files already uploaded are content-addressed and harmless, the state is
      // untouched, so a rerun adds them all under the same names.
      if (!isChainloopError(error)) throw error;
      throw new ChainloopError(error.code, `${error.message}; nothing added from --from-glob`, {
        cause: error,
        exitCode: error.exitCode,
      });
    }
  }
  const results = await commitMaterials(context, store, crafted);
  return results.map((result, index) => ({ ...result, file: checked[index].file }));
}

/** The files whose digest no material of the attestation has; the others are named in an info line each. */
async function notYetAttested(context: CraftingContext, state: CraftingState, files: string[]): Promise<string[]> {
  const byDigest = new Map(Object.values(state.materials).map((material) => [material.digest, material.name]));
  const kept: string[] = [];
  for (const file of files) {
    const { digest } = await hashFile(resolve(context.cwd, file));
    const attested = byDigest.get(digest);
    if (attested === undefined) kept.push(file);
    else context.log.info(`${file}: already in the attestation as material "${attested}", not added again`);
  }
  return kept;
}

/**
 * Names each file in order: a declared material not yet filled is taken by the first file named after it; every other
 * name avoids the attestation's materials, all the contract's names (so a suffix never lands on a declared material by
 * chance) and the names given earlier in the batch.
 */
function planMaterials(
  files: string[],
  declared: ReadonlyArray<{ name: string; type: MaterialKindName }>,
  existing: string[],
  requestedKind: MaterialKindName | undefined,
): PlannedMaterial[] {
  const taken = new Set([...existing, ...declared.map((material) => material.name)]);
  const filled = new Set(existing);
  return files.map((file) => {
    const derived = materialNameFromFile(file);
    const contractMaterial = declared.find((material) => material.name === derived);
    if (contractMaterial && !filled.has(derived)) {
      filled.add(derived);
      return { file, name: derived, kind: contractMaterial.type };
    }
    const name = uniqueMaterialName(derived, taken);
    taken.add(name);
    return { file, name, kind: requestedKind };
  });
}

/**
 * Checks one file before anything is uploaded and fixes its kind (a detected one too, so the add does not detect
 * again); a file that does not pass gets the one-line reason naming the material, the file and the kind.
 */
async function validate(
  context: CraftingContext,
  material: PlannedMaterial,
  declared: ReadonlyArray<{
    name: string;
    type: MaterialKindName;
    annotations: Array<{ name: string; value: string }>;
  }>,
  requestedKind: MaterialKindName | undefined,
  options: AddFromGlobOptions,
): Promise<{ kind: MaterialKindName } | { refusal: string }> {
  const contractMaterial = declared.find((candidate) => candidate.name === material.name);
  if (contractMaterial && requestedKind && requestedKind !== contractMaterial.type) {
    return {
      refusal: `material "${material.name}": ${material.file} fills the contract's material "${material.name}", declared as ${contractMaterial.type}, not --kind ${requestedKind}`,
    };
  }
  const input: MaterialInput = {
    name: material.name,
    value: material.file,
    cwd: context.cwd,
    options: { env: context.env, ...options.materialOptions },
  };
  try {
    // The kinds (schemas, parsers, archive readers) load only when a material is added.
    const { detectMaterialKind, materialKind } = await import('../materials/index');
    let kind: MaterialKindName;
    if (material.kind) {
      kind = material.kind;
      await materialKind(kind).inspect(input);
      context.log.info(`${material.file}: material "${material.name}" (${kind})`);
    } else {
      ({ kind } = await detectMaterialKind(input));
      context.log.info(`${material.file}: material "${material.name}" detected as ${kind}`);
    }
    // A declared material's required annotation left empty would fail the add after the uploads: say it now.
    if (contractMaterial) {
      mergeAnnotations(contractMaterial.annotations, {}, options.annotations, `material "${material.name}"`);
    }
    return { kind };
  } catch (error) {
    if (!isChainloopError(error)) throw error;
    return { refusal: error.message };
  }
}

/** One refusal is the error itself; several are a warning line each and an error counting them. */
function refused(context: CraftingContext, refusals: string[], matched: number): ChainloopError {
  const code = 'MATERIAL_INVALID';
  if (refusals.length === 1) {
    return new ChainloopError(code, `${refusals[0]}; nothing added from --from-glob (every match is checked first)`);
  }
  for (const refusal of refusals) context.log.warn(refusal);
  return new ChainloopError(
    code,
    `${refusals.length} of the ${matched} files matched by --from-glob are refused (each on a line above); nothing added`,
  );
}

/** `--kind`: undefined (or `auto`) auto-detects each match; anything else must be a kind's name. */
function requestedGlobKind(kind: string | undefined): MaterialKindName | undefined {
  if (kind === undefined || kind.toLowerCase() === 'auto') return undefined;
  const upper = kind.toUpperCase();
  if (!isMaterialKindName(upper)) {
    throw new UsageError('MATERIAL_KIND_UNKNOWN', `"${kind}" kind not found: use one of ${MATERIAL_KINDS.join(', ')}`);
  }
  return upper;
}

/** The local state file (and its lock and temporary siblings) is never a material, even under `**\/*.json`. */
function isStateFile(store: StateStore): (absolutePath: string) => boolean {
  if (!(store instanceof LocalStateStore)) return () => false;
  return (path) => path === store.path || path.startsWith(`${store.path}.`);
}
