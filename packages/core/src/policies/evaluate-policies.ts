import type { MaterialKindName } from '../contract/model';
import type { AttestationPhase, PolicyDocument, PolicyScript } from '../contract/policy-model';
import { celEngine } from './cel-engine';
import type { CompiledScript, PolicyEngine, RuleInput, ScriptContext } from './engine';
import type { PolicyEvaluation, PolicyEvaluationReference } from './evaluation';
import { checkInputOverrides, type PolicyInputOverride, withInputOverrides } from './input-overrides';
import type { EvaluatedAttachment } from './policy-groups';
import { computePolicyInputs, ruleArguments } from './policy-inputs';
import type { PolicyResolver } from './policy-resolver';
import { attestationRuleInput, materialRuleInput, type PolicyMaterial } from './rule-input';

/** One engine per source key; adding OPA WebAssembly is one more entry. */
const ENGINES: Record<string, PolicyEngine> = { cel: celEngine };

/** Generous for CI machines under load; a rule needing more is too costly for the inputs it gets. */
export const DEFAULT_POLICY_TIMEOUT_MS = 5_000;

export interface PolicyEvaluationOptions {
  resolver: PolicyResolver;
  /** The organisation's default for attachments that leave `gate` unset (Chainloop: advisory unless configured). */
  defaultGate?: boolean;
  /** Time budget of one policy on one material or statement. */
  timeoutMs?: number;
  /** Told about `with` values the policy does not declare (Chainloop logs a warning and ignores them). */
  onIgnoredInputs?: (policy: string, names: string[]) => void;
  /**
   * Material policies only: `attestation add --policy-input` values, which replace the contract's `with` value of
   * the input (checked: a flag no applied policy can take is a usage error).
   */
  inputOverrides?: PolicyInputOverride[];
}

/** A material policy that applies to a material, loaded, with the scripts that will run on it. */
export interface SelectedMaterialPolicy {
  attachment: EvaluatedAttachment;
  document: PolicyDocument;
  reference?: PolicyEvaluationReference;
  scripts: PolicyScript[];
}

/**
 * Evaluates the contract's material policies that apply to `material` (Chainloop's rules: a policy applies when
 * one of its scripts is for the material's kind, or when a selector names the material and a script has no kind;
 * a selector that does not match excludes it; disabled attachments never run). `path` is the material's local file.
 */
export async function evaluateMaterialPolicies(
  attachments: EvaluatedAttachment[],
  material: PolicyMaterial,
  path: string | undefined,
  options: PolicyEvaluationOptions,
): Promise<PolicyEvaluation[]> {
  const selected = await selectMaterialPolicies(attachments, material, options);
  checkInputOverrides(
    selected.map((policy) => policy.document),
    options.inputOverrides,
    material.name,
  );
  return evaluateSelectedMaterialPolicies(selected, material, path, options);
}

/**
 * The material policies that apply to a material of this name and kind, loaded (so `add` can check its
 * `--policy-input` flags before it uploads anything).
 */
export async function selectMaterialPolicies(
  attachments: EvaluatedAttachment[],
  material: Pick<PolicyMaterial, 'name' | 'kind'>,
  options: Pick<PolicyEvaluationOptions, 'resolver'>,
): Promise<SelectedMaterialPolicy[]> {
  const selected: SelectedMaterialPolicy[] = [];
  for (const attachment of attachments) {
    if (attachment.disabled || !selectorMatches(attachment, material.name)) continue;
    if (attachment.onlyKind !== undefined && attachment.onlyKind !== material.kind) continue;
    const { document, reference } = await load(attachment, options);
    if (attachment.skipPolicies?.includes(document.name)) continue;
    const scripts = document.policies.filter((script) =>
      script.kind === undefined ? attachment.selector !== undefined : script.kind === material.kind,
    );
    if (scripts.length === 0) continue;
    selected.push({ attachment, document, reference, scripts });
  }
  return selected;
}

/** Evaluates policies `selectMaterialPolicies` chose for the material (its overrides already checked). */
export async function evaluateSelectedMaterialPolicies(
  selected: SelectedMaterialPolicy[],
  material: PolicyMaterial,
  path: string | undefined,
  options: PolicyEvaluationOptions,
): Promise<PolicyEvaluation[]> {
  const evaluations: PolicyEvaluation[] = [];
  for (const { attachment, document, reference, scripts } of selected) {
    const { values, args } = inputsFor(document, attachment, options, options.inputOverrides);
    const input = await materialRuleInput(material, path, args);
    evaluations.push(
      await evaluate(document, reference, attachment, scripts, input, values, {
        type: material.kind,
        materialName: material.name,
        target: `material "${material.name}"`,
        options,
      }),
    );
  }
  return evaluations;
}

/**
 * Evaluates the contract's attestation policies on the in-toto statement: scripts of kind ATTESTATION, or without a
 * kind; `phase` keeps those whose `attestationPhases` include it (none listed: every phase).
 */
export async function evaluateAttestationPolicies(
  attachments: EvaluatedAttachment[],
  statement: Record<string, unknown>,
  phase: AttestationPhase,
  options: PolicyEvaluationOptions,
): Promise<PolicyEvaluation[]> {
  const evaluations: PolicyEvaluation[] = [];
  for (const attachment of attachments) {
    if (attachment.disabled) continue;
    const { document, reference } = await load(attachment, options);
    if (attachment.skipPolicies?.includes(document.name)) continue;
    const scripts = document.policies.filter(
      (script) =>
        (script.kind === undefined || script.kind === 'ATTESTATION') &&
        (script.phases.length === 0 || script.phases.includes(phase)),
    );
    if (scripts.length === 0) continue;
    const { values, args } = inputsFor(document, attachment, options);
    evaluations.push(
      await evaluate(document, reference, attachment, scripts, attestationRuleInput(statement, args), values, {
        type: 'ATTESTATION',
        materialName: '',
        target: 'the attestation',
        options,
      }),
    );
  }
  return evaluations;
}

function selectorMatches(attachment: EvaluatedAttachment, materialName: string): boolean {
  const selector = attachment.selector;
  if (selector === undefined) return true;
  return selector.matchMode === 'PREFIX' ? materialName.startsWith(selector.name) : materialName === selector.name;
}

async function load(
  attachment: EvaluatedAttachment,
  options: Pick<PolicyEvaluationOptions, 'resolver'>,
): Promise<{ document: PolicyDocument; reference?: PolicyEvaluationReference }> {
  if ('embedded' in attachment.policy) return { document: attachment.policy.embedded };
  return options.resolver.resolve(attachment.policy.ref, attachment.path);
}

function inputsFor(
  document: PolicyDocument,
  attachment: EvaluatedAttachment,
  options: PolicyEvaluationOptions,
  overrides?: PolicyInputOverride[],
) {
  const given = withInputOverrides(attachment.with, document, overrides);
  const { values, ignored } = computePolicyInputs(document, given, attachment.path);
  if (ignored.length > 0) options.onIgnoredInputs?.(document.name, ignored);
  return { values, args: ruleArguments(values) };
}

/** Compiled scripts are kept per parsed script: a policy attached to many materials compiles once. */
const compiledScripts = new WeakMap<PolicyScript, CompiledScript>();

/**
 * Checks every script of a policy compiles (CEL syntax and types), so a contract or a stored policy can be refused
 * when it is written rather than in CI: throws `POLICY_INVALID` naming the rule.
 */
export function compilePolicy(document: PolicyDocument, where: string): void {
  document.policies.forEach((script, index) => {
    compiled(script, `${where}spec.policies[${index}]`);
  });
}

function compiled(script: PolicyScript, where: string): CompiledScript {
  let found = compiledScripts.get(script);
  if (found === undefined) {
    const engine = ENGINES[script.source.engine];
    found = engine.compile(script.source, where);
    compiledScripts.set(script, found);
  }
  return found;
}

async function evaluate(
  document: PolicyDocument,
  reference: PolicyEvaluationReference | undefined,
  attachment: EvaluatedAttachment,
  scripts: PolicyScript[],
  input: RuleInput,
  values: Record<string, string>,
  about: { type: MaterialKindName; materialName: string; target: string; options: PolicyEvaluationOptions },
): Promise<PolicyEvaluation> {
  const context: ScriptContext = {
    policyName: document.name,
    target: about.target,
    timeoutMs: about.options.timeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS,
  };
  const evaluation: PolicyEvaluation = {
    name: document.name,
    materialName: about.materialName,
    violations: [],
    with: values,
    type: about.type,
    // Chainloop: skipped only when every script skipped; reasons reported only then.
    skipped: true,
    skipReasons: [],
    requirements: attachment.requirements,
    gate: attachment.gate ?? about.options.defaultGate ?? false,
  };
  const reasons: string[] = [];
  for (const script of scripts) {
    const index = document.policies.indexOf(script);
    const where =
      reference === undefined
        ? `${attachment.path}.embedded.spec.policies[${index}]`
        : `${reference.uri} spec.policies[${index}]`;
    const outcome = await compiled(script, where).evaluate(input, context);
    evaluation.violations.push(...outcome.violations);
    evaluation.skipped &&= outcome.skipped;
    reasons.push(...outcome.skipReasons);
  }
  if (evaluation.skipped) evaluation.skipReasons = reasons;
  if (document.description !== undefined) evaluation.description = document.description;
  if (document.annotations !== undefined) evaluation.annotations = document.annotations;
  if (reference !== undefined) evaluation.policyReference = reference;
  if (attachment.groupReference !== undefined) evaluation.groupReference = attachment.groupReference;
  return evaluation;
}
