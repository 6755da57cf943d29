import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMaterialKindName } from '../contract/enum-names';
import { DNS_1123_LABEL, MATERIAL_KINDS, type MaterialKindName } from '../contract/model';
import { UsageError } from '../errors';
import type { InspectedMaterial, MaterialInput } from '../materials/kind';
import type { SelectedMaterialPolicy } from '../policies/evaluate-policies';
import type { PolicyEvaluation } from '../policies/evaluation';
import type { PolicyInputOverride } from '../policies/input-overrides';
import { mergeAnnotations } from './annotations';
import { type CraftingContext, requireClient } from './context';
import { isEnvReference, resolveEnvReference } from './env-value';
import { sha256OfText } from './file-digest';
import { storeFileMaterial } from './file-upload';
import { notInitialized } from './local-state-store';
import { craftingPolicyResolver } from './policy-resolver';
import { notUploadedLine, uploadDoneLine } from './progress';
import type { CraftedMaterial, CraftingState } from './state';
import type { StateStore } from './state-store';

/** `--policy-input [<policy>:]<input>=<value>` flags, parsed for `AddOptions.policyInputs`. */
export { type PolicyInputOverride, parsePolicyInputFlags } from '../policies/input-overrides';

export interface AddOptions {
  name?: string;
  value: string;
  kind?: string;
  annotations: Record<string, string>;
  /** Passed to the kind (registry credentials, insecure registries, …). */
  materialOptions?: Record<string, unknown>;
  /**
   * `--policy-input`: values replacing the contract's `with` value of an input for the policies evaluated on this
   * material (`parsePolicyInputFlags`); one no applied policy declares is refused before anything is uploaded.
   */
  policyInputs?: PolicyInputOverride[];
}

export interface AddResult {
  material: CraftedMaterial;
  replaced: boolean;
}

/**
 * `attestation add`: the contract decides the kind of a declared name. A name the contract does not declare needs
 * --kind (a kind, or `auto` to detect it); a material without --name and --kind is auto-detected under a random name.
 * The kind validates the content; file materials are digested and uploaded in one pass; the state is then updated
 * under the store's concurrency control, so concurrent adds all land.
 */
export async function addMaterial(
  context: CraftingContext,
  store: StateStore,
  options: AddOptions,
): Promise<AddResult> {
  const state = await store.read();
  if (!state) throw notInitialized(store.description);
  const material = await craftMaterial(context, state, options);
  const [{ replaced }] = await commitMaterials(context, store, [material]);
  return { material, replaced };
}

/**
 * Validates, digests and uploads one material against the given state, without saving it: `addMaterials` crafts a
 * whole list and then saves once, so a list of N materials is not N rewrites of the state.
 */
export async function craftMaterial(
  context: CraftingContext,
  state: CraftingState,
  options: AddOptions,
): Promise<CraftedMaterial> {
  const name = options.name ?? `material-${Date.now()}${randomBytes(2).toString('hex')}`;
  if (!DNS_1123_LABEL.test(name)) {
    throw new UsageError(
      'MATERIAL_NAME_INVALID',
      `material name "${name}" is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending alphanumeric`,
    );
  }
  const declared = state.contract.materials.find((m) => m.name === name);
  const autoDetect =
    options.kind?.toLowerCase() === 'auto' || (options.name === undefined && options.kind === undefined);
  const requestedKind = options.kind && !autoDetect ? checkKindName(options.kind) : undefined;
  if (!declared && !requestedKind && !autoDetect) {
    const known = state.contract.materials.map((m) => m.name);
    throw new UsageError(
      'MATERIAL_NOT_IN_CONTRACT',
      `material "${name}" is not in the contract of workflow ${state.workflow.name}` +
        (known.length > 0 ? ` (it declares ${known.join(', ')})` : '') +
        ': pass --kind KIND to add it anyway, or --kind auto to detect its kind',
    );
  }
  if (declared && requestedKind && requestedKind !== declared.type) {
    context.log.warn(`--kind ${requestedKind} ignored: the contract declares material "${name}" as ${declared.type}`);
  }

  const { value, temporary } = await resolveValue(options.value, context.env, name, declared?.type ?? requestedKind);
  let inspected: InspectedMaterial | undefined;
  try {
    const input: MaterialInput = {
      name,
      value,
      cwd: context.cwd,
      options: { env: context.env, ...options.materialOptions },
    };
    // The kinds (schemas, parsers, archive readers) load only when a material is added.
    const { detectMaterialKind, materialKind } = await import('../materials/index');
    let kind: MaterialKindName;
    if (declared || requestedKind) {
      kind = declared?.type ?? (requestedKind as MaterialKindName);
      inspected = await materialKind(kind).inspect(input);
    } else {
      ({ kind, inspected } = await detectMaterialKind(input));
      context.log.info(`material "${name}" detected as ${kind}`);
    }

    const policies = await selectAddedMaterialPolicies(context, state, name, kind, options.policyInputs);
    const material = await craft(
      context,
      state.dryRun,
      name,
      kind,
      inspected,
      declared?.skipUpload ?? false,
      temporary?.fileName,
    );
    material.output = declared?.output ?? false;
    material.required = declared ? !declared.optional : false;
    material.contractFree = !declared;
    material.annotations = {
      ...mergeAnnotations(declared?.annotations ?? [], {}, options.annotations, `material "${name}"`),
      ...material.annotations,
    };
    const evaluations = await policies?.evaluate(material, inspected.shape === 'file' ? inspected.path : undefined);
    if (evaluations && evaluations.length > 0) material.policyEvaluations = evaluations;

    return material;
  } finally {
    if (temporary) await rm(temporary.directory, { recursive: true, force: true });
    if (inspected?.shape === 'file') await inspected.dispose?.();
  }
}

/** Saves crafted materials in one update of the state; a name added again replaces the earlier material. */
export async function commitMaterials(
  context: CraftingContext,
  store: StateStore,
  materials: CraftedMaterial[],
): Promise<AddResult[]> {
  let results: AddResult[] = [];
  await store.update((current) => {
    const merged = { ...current.materials };
    results = materials.map((material) => {
      const replaced = merged[material.name] !== undefined;
      merged[material.name] = material;
      return { material, replaced };
    });
    return { ...current, materials: merged };
  });
  for (const { material, replaced } of results) {
    if (replaced) context.log.warn(`material "${material.name}" was already set: replaced it`);
  }
  return results;
}

async function craft(
  context: CraftingContext,
  dryRun: boolean,
  name: string,
  kind: MaterialKindName,
  inspected: InspectedMaterial,
  skipUpload: boolean,
  fileNameOverride: string | undefined,
): Promise<CraftedMaterial> {
  const base = { name, kind, output: false, required: false, contractFree: false, addedAt: new Date().toISOString() };
  switch (inspected.shape) {
    case 'string': {
      const size = Buffer.byteLength(inspected.value, 'utf8');
      return {
        ...base,
        value: inspected.value,
        digest: sha256OfText(inspected.value),
        size,
        uploadedToCas: false,
        annotations: { ...inspected.annotations, 'chainloop.material.size': String(size) },
      };
    }
    case 'image':
      return {
        ...base,
        image: { name: inspected.name, tag: inspected.tag, hasLatestTag: inspected.hasLatestTag },
        digest: inspected.digest,
        uploadedToCas: false,
        annotations: { ...inspected.annotations },
      };
    case 'file': {
      const { size } = await stat(inspected.path);
      const upload = !dryRun && !skipUpload;
      const client = upload ? requireClient(context.client) : undefined;
      const stored = await storeFileMaterial(inspected.path, size, { client, upload });
      const fileName = fileNameOverride ?? inspected.fileName;
      const line = stored.uploaded
        ? uploadDoneLine(fileName, stored.digest, stored.size, stored.milliseconds)
        : notUploadedLine(fileName, stored.digest, stored.size, dryRun ? 'dry-run' : 'skip_upload in the contract');
      if (context.log.progress) context.log.progress(line);
      else context.log.info(line);
      return {
        ...base,
        fileName,
        digest: stored.digest,
        size: stored.size,
        uploadedToCas: stored.uploaded,
        annotations: { ...inspected.annotations, 'chainloop.material.size': String(stored.size) },
      };
    }
  }
}

/**
 * The contract's material policies (its own and its groups') that apply to a material of this name and kind, with
 * what evaluates them on its local content once crafted; the `--policy-input` flags are checked against them first,
 * so a bad one fails before anything is uploaded. Policies are loaded only when the contract attaches any.
 */
async function selectAddedMaterialPolicies(
  context: CraftingContext,
  state: CraftingState,
  name: string,
  kind: MaterialKindName,
  policyInputs: PolicyInputOverride[] | undefined,
): Promise<{ evaluate(material: CraftedMaterial, path: string | undefined): Promise<PolicyEvaluation[]> } | undefined> {
  const { contract } = state;
  const overrides = policyInputs ?? [];
  if ((contract.policies?.materials.length ?? 0) === 0 && (contract.policyGroups?.length ?? 0) === 0) {
    if (overrides.length === 0) return undefined;
    const { checkInputOverrides } = await import('../policies/input-overrides');
    checkInputOverrides([], overrides, name);
  }
  const [
    { contractPolicyAttachments },
    { selectMaterialPolicies, evaluateSelectedMaterialPolicies },
    { checkInputOverrides },
  ] = await Promise.all([
    import('../policies/policy-groups'),
    import('../policies/evaluate-policies'),
    import('../policies/input-overrides'),
  ]);
  const resolver = await craftingPolicyResolver(context);
  const attachments = await contractPolicyAttachments(contract, resolver);
  const selected: SelectedMaterialPolicy[] = await selectMaterialPolicies(
    attachments.materials,
    { name, kind },
    { resolver },
  );
  checkInputOverrides(
    selected.map((policy) => policy.document),
    overrides,
    name,
  );
  if (selected.length === 0) return undefined;
  return {
    evaluate: (material, path) =>
      evaluateSelectedMaterialPolicies(selected, material, path, {
        resolver,
        inputOverrides: overrides,
        onIgnoredInputs: (policy, names) =>
          context.log.warn(`policy "${policy}" declares no input ${names.join(', ')}: ignored`),
      }),
  };
}

function checkKindName(kind: string): MaterialKindName {
  const upper = kind.toUpperCase();
  if (!isMaterialKindName(upper)) {
    throw new UsageError('MATERIAL_KIND_UNKNOWN', `"${kind}" kind not found: use one of ${MATERIAL_KINDS.join(', ')}`);
  }
  return upper;
}

/**
 * `--value env://VAR`: for STRING and image kinds (or when the kind is still to be detected) the variable's value is
 * the value; for file kinds the variable holds the content, written to a private temp file named after the variable.
 */
async function resolveValue(
  value: string,
  env: NodeJS.ProcessEnv,
  name: string,
  kind: MaterialKindName | undefined,
): Promise<{ value: string; temporary?: { directory: string; fileName: string } }> {
  if (!isEnvReference(value)) return { value };
  const content = resolveEnvReference(value, env, `material "${name}"`);
  if (kind === undefined || kind === 'STRING' || kind === 'CONTAINER_IMAGE') return { value: content };
  const directory = await mkdtemp(join(tmpdir(), 'chainloop-env-'));
  const fileName = value.slice('env://'.length);
  const path = join(directory, fileName);
  await writeFile(path, content, { mode: 0o600 });
  return { value: path, temporary: { directory, fileName } };
}
