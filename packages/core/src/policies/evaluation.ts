import type { MaterialKindName } from '../contract/model';

/**
 * The result of one policy on one material (or the attestation), with Chainloop's field names (`PolicyEvaluation`
 * in its crafting state, rendered under `policyEvaluations` in the predicate).
 */
export interface PolicyViolation {
  subject: string;
  message: string;
}

/** `policyReference`: where the policy came from; an embedded policy has none. */
export interface PolicyEvaluationReference {
  name: string;
  /** `chainloop://name@3`, `builtin://name`, `file:///abs/path.yaml`. */
  uri: string;
  /** sha256 of the policy document's bytes. */
  digest: { sha256: string };
}

export interface PolicyEvaluation {
  name: string;
  /** Empty for attestation-level policies. */
  materialName: string;
  description?: string;
  annotations?: Record<string, string>;
  violations: PolicyViolation[];
  /** The inputs the policy ran with, after defaults. */
  with: Record<string, string>;
  /** The material kind, or ATTESTATION. */
  type: MaterialKindName;
  skipped: boolean;
  skipReasons: string[];
  policyReference?: PolicyEvaluationReference;
  groupReference?: PolicyEvaluationReference;
  requirements: string[];
  /** A gate blocks the push while it has violations (unless the push bypasses policy checks). */
  gate: boolean;
}

/** The key Chainloop files attestation-level evaluations under in `policyEvaluations`. */
export const ATTESTATION_EVALUATIONS_KEY = 'CHAINLOOP.ATTESTATION';

export type PolicyCheckBlockingStrategy = 'ADVISORY' | 'ENFORCED';

/** The predicate's policy summary fields, from the evaluations and how the run is configured. */
export interface PolicySummary {
  policyHasViolations: boolean;
  policyHasGatedViolations: boolean;
  policyCheckBlockingStrategy: PolicyCheckBlockingStrategy;
  policyBlockBypassEnabled: boolean;
  policyAttBlocked: boolean;
}

/**
 * Chainloop's rule: the attestation is blocked unless bypassed, when a gated policy has violations, or when any has
 * violations and the organisation blocks on violations (ENFORCED).
 */
export function summarizePolicies(
  evaluations: PolicyEvaluation[],
  options: { blockOnViolation: boolean; bypass: boolean },
): PolicySummary {
  const violated = evaluations.filter((evaluation) => evaluation.violations.length > 0);
  const policyHasViolations = violated.length > 0;
  const policyHasGatedViolations = violated.some((evaluation) => evaluation.gate);
  return {
    policyHasViolations,
    policyHasGatedViolations,
    policyCheckBlockingStrategy: options.blockOnViolation ? 'ENFORCED' : 'ADVISORY',
    policyBlockBypassEnabled: options.bypass,
    policyAttBlocked:
      !options.bypass && (policyHasGatedViolations || (policyHasViolations && options.blockOnViolation)),
  };
}

/**
 * One evaluation as `add` and `status` print it: `<name>: passed`, `<name>: 2 violations: <subject>: <message>; …`
 * or `<name>: skipped (<reasons>)`, with ` [gate]` for gates.
 */
export function describePolicyEvaluation(evaluation: PolicyEvaluation): string {
  const gate = evaluation.gate ? ' [gate]' : '';
  if (evaluation.skipped) {
    const reasons = evaluation.skipReasons.length > 0 ? ` (${evaluation.skipReasons.join('; ')})` : '';
    return `${evaluation.name}${gate}: skipped${reasons}`;
  }
  const count = evaluation.violations.length;
  if (count === 0) return `${evaluation.name}${gate}: passed`;
  return `${evaluation.name}${gate}: ${count} violation${count === 1 ? '' : 's'}: ${violationMessages(evaluation).join('; ')}`;
}

/** Each violation's message, after its subject when that says more than the policy's name (the default subject). */
export function violationMessages(evaluation: PolicyEvaluation): string[] {
  return evaluation.violations.map((violation) =>
    violation.subject && violation.subject !== evaluation.name
      ? `${violation.subject}: ${violation.message}`
      : violation.message,
  );
}
