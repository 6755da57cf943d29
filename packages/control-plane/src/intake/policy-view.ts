import { isObject } from './statement-payload';

/**
 * The key Chainloop files attestation-level evaluations under in `predicate.policyEvaluations`; they are listed
 * with an empty material name.
 */
const ATTESTATION_KEY = 'CHAINLOOP.ATTESTATION';

/** One policy evaluation as the signed statement records it, read as untrusted text. */
export interface PolicyEvaluationView {
  /** The material it evaluated; empty for attestation-level policies (`CHAINLOOP.ATTESTATION`). */
  materialName: string;
  /** The policy's name. */
  name: string;
  /** Where the policy came from (`builtin://…`, `chainloop://name@3`, `file://…`); absent for embedded ones. */
  reference?: { uri: string; digest: string };
  /** The policy group that brought it, by name; absent when the contract attached it directly. */
  group?: string;
  gate: boolean;
  skipped: boolean;
  skipReasons: string[];
  violations: Array<{ subject: string; message: string }>;
}

/** The statement's policy fields: what crafting evaluated and how the push treated the violations. */
export interface PoliciesView {
  /** `policyHasViolations`. */
  hasViolations: boolean;
  /** `policyCheckBlockingStrategy`: ADVISORY or ENFORCED; empty when the statement records none. */
  blockingStrategy: string;
  /** `policyBlockBypassEnabled`: pushed with --exception-bypass-policy-check. */
  bypassed: boolean;
  /** `policyAttBlocked`. */
  attBlocked: boolean;
  /** Every evaluation, material by material in the statement's order, attestation-level ones where they appear. */
  evaluations: PolicyEvaluationView[];
}

/**
 * What a pushed statement says about policies. The control plane checks nothing here (policies run in CI and the
 * statement is signed there): it only reads what was signed, and any field of the wrong type reads as absent.
 */
export function describePolicies(predicate: unknown): PoliciesView {
  // A statement pushed before policies existed (or no statement at all) records none: an empty list, flags false.
  const fields = isObject(predicate) ? predicate : {};
  const byMaterial = isObject(fields.policyEvaluations) ? fields.policyEvaluations : {};
  const evaluations: PolicyEvaluationView[] = [];
  for (const [key, list] of Object.entries(byMaterial)) {
    if (!Array.isArray(list)) continue;
    const materialName = key === ATTESTATION_KEY ? '' : key;
    for (const entry of list) {
      if (isObject(entry)) evaluations.push(describeEvaluation(materialName, entry));
    }
  }
  return {
    hasViolations: fields.policyHasViolations === true,
    blockingStrategy: text(fields.policyCheckBlockingStrategy),
    bypassed: fields.policyBlockBypassEnabled === true,
    attBlocked: fields.policyAttBlocked === true,
    evaluations,
  };
}

function describeEvaluation(materialName: string, entry: Record<string, unknown>): PolicyEvaluationView {
  const view: PolicyEvaluationView = {
    materialName,
    name: text(entry.name),
    gate: entry.gate === true,
    skipped: entry.skipped === true,
    skipReasons: Array.isArray(entry.skipReasons) ? entry.skipReasons.map(text) : [],
    violations: Array.isArray(entry.violations)
      ? entry.violations.map((violation) => ({
          subject: text(isObject(violation) ? violation.subject : undefined),
          message: text(isObject(violation) ? violation.message : violation),
        }))
      : [],
  };
  const reference = isObject(entry.policyReference) ? entry.policyReference : undefined;
  if (reference) view.reference = { uri: text(reference.uri), digest: digestOf(reference.digest) };
  const group = isObject(entry.groupReference) ? text(entry.groupReference.name) : '';
  if (group !== '') view.group = group;
  return view;
}

/** An in-toto digest map as `sha256:<hex>` (another algorithm's `alg:value` when it has no sha256; empty when none). */
function digestOf(digest: unknown): string {
  if (!isObject(digest)) return '';
  if (typeof digest.sha256 === 'string') return `sha256:${digest.sha256}`;
  const [first] = Object.entries(digest).filter(([, value]) => typeof value === 'string');
  return first ? `${first[0]}:${first[1]}` : '';
}

/** Strings as they are, numbers and booleans as written, anything else (objects, null) as nothing. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
