import type { PolicyEngineName, PolicyScriptSource } from '../contract/policy-model';
import type { PolicyViolation } from './evaluation';

/** What every rule is evaluated against (see rule-input.ts for what each material kind puts in `input`). */
export interface RuleInput {
  /** The material's parsed content, or for attestation policies the in-toto statement. */
  input: unknown;
  /** The material itself: name, kind, digest, file name, annotations. Empty for attestation policies. */
  material: Record<string, unknown>;
  /** Attestation policies: the statement's predicate (runner, env, materials, git head…). Null for material policies. */
  predicate: unknown;
  /** The policy's inputs: one value as a string, several (comma- or newline-separated) as a list, as Chainloop does. */
  args: Record<string, string | string[]>;
}

/** What one script yields; the evaluator merges the scripts of a policy into one `PolicyEvaluation`. */
export interface ScriptOutcome {
  skipped: boolean;
  skipReasons: string[];
  violations: PolicyViolation[];
}

export interface ScriptContext {
  /** The policy's name: the default violation subject, and what errors name. */
  policyName: string;
  /** What is evaluated, for errors: `material "sbom"` or `the attestation`. */
  target: string;
  /** The evaluation's time budget. */
  timeoutMs: number;
}

/** A script checked and ready to run any number of times. */
export interface CompiledScript {
  evaluate(input: RuleInput, context: ScriptContext): Promise<ScriptOutcome>;
}

/**
 * A policy language. `compile` refuses a bad source (`POLICY_INVALID`, naming the rule); `evaluate` turns a rule
 * that throws or runs past the budget into `POLICY_EVALUATION_FAILED`, never a crash. CEL is the one engine today;
 * OPA WebAssembly (`opa build -t wasm`) would be a second, behind its own `spec.policies[].wasm` source key.
 */
export interface PolicyEngine<Source extends PolicyScriptSource = PolicyScriptSource> {
  readonly name: PolicyEngineName;
  compile(source: Source, where: string): CompiledScript;
}
