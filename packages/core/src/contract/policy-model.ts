import type { MaterialKindName } from './model';

/**
 * Policies as Chainloop's contract schema defines them (`Policy`, `PolicyAttachment`, `PolicyGroupAttachment` in
 * crafting_schema.proto), with one difference: a script's source is CEL instead of Rego. The source is keyed by its
 * engine (`cel:`), so a second engine (OPA WebAssembly) is a new key and a new `PolicyEngine`, not a contract change.
 */
export const POLICY_API_VERSIONS = ['chainloop.dev/v1', 'workflowcontract.chainloop.dev/v1'] as const;

/** When an attestation-level script runs (Chainloop's `attestation_phases`); none listed means every phase. */
export type AttestationPhase = 'INIT' | 'PUSH';

export interface PolicyInputSpec {
  name: string;
  description?: string;
  required: boolean;
  /** Used when the attachment's `with` leaves the input out or empty. Never together with `required`. */
  default?: string;
}

/**
 * One CEL rule. `expression` is a condition that must hold (false: one violation with `message` or the string
 * `messageExpression` yields), as in Kubernetes validating admission policies; `violations` yields a list of
 * messages or `{subject, message}` maps, one violation each (an empty list passes).
 */
export type CelRule =
  | { name?: string; expression: string; message?: string; messageExpression?: string }
  | { name?: string; violations: string };

/** A script's skip condition: when `expression` is true the evaluation is recorded as skipped, with `reason`. */
export interface CelSkip {
  expression: string;
  reason: string;
}

export interface CelScriptSource {
  engine: 'cel';
  skip: CelSkip[];
  rules: CelRule[];
}

/** Engine-specific script sources; the union grows by one member per engine. */
export type PolicyScriptSource = CelScriptSource;
export type PolicyEngineName = PolicyScriptSource['engine'];

export interface PolicyScript {
  /** The material kind it evaluates (`ATTESTATION`: the statement); undefined applies only through a name selector. */
  kind?: MaterialKindName;
  phases: AttestationPhase[];
  source: PolicyScriptSource;
}

/** A `kind: Policy` document. */
export interface PolicyDocument {
  name: string;
  description?: string;
  annotations?: Record<string, string>;
  inputs: PolicyInputSpec[];
  policies: PolicyScript[];
}

/**
 * Where a referenced policy comes from: the control plane (`name`, `chainloop://name`), the policies shipped with
 * Chainloop TS (`builtin://name`) or a file (`file://path`). `revision` (`@3`) or `digest` (`@sha256:<hex>`) pin it.
 */
export interface PolicyRef {
  /** As written in the contract. */
  ref: string;
  scheme: 'chainloop' | 'builtin' | 'file';
  /** Policy name, or the file path for `file://`. */
  name: string;
  revision?: number;
  digest?: string;
}

export type PolicyMatchMode = 'EXACT' | 'PREFIX';

export interface PolicyAttachment {
  /** Where it sits in the contract (`spec.policies.materials[0]`), for messages. */
  path: string;
  policy: { embedded: PolicyDocument } | { ref: PolicyRef };
  /** Restricts a material policy to materials of that name (or prefix). */
  selector?: { name: string; matchMode: PolicyMatchMode };
  disabled: boolean;
  /** Input values; several values are written comma- or newline-separated. */
  with: Record<string, string>;
  requirements: string[];
  /** Unset inherits the organisation's default (advisory unless the control plane says otherwise). */
  gate?: boolean;
}

export interface PolicyGroupAttachment {
  path: string;
  ref: PolicyRef;
  with: Record<string, string>;
  /** Names of the group's policies not to apply. */
  skip: string[];
  gate?: boolean;
}

export interface ContractPolicies {
  materials: PolicyAttachment[];
  attestation: PolicyAttachment[];
}

/** A material a policy group declares, with the policies to apply to it. Its name may use `{{ inputs.<name> }}`. */
export interface PolicyGroupMaterial {
  /** Empty: the policies apply to every material of `type`. */
  name: string;
  type?: MaterialKindName;
  optional: boolean;
  policies: PolicyAttachment[];
}

/** A `kind: PolicyGroup` document: policies bundled for materials (by name or kind) and for the attestation. */
export interface PolicyGroupDocument {
  name: string;
  description?: string;
  annotations?: Record<string, string>;
  inputs: PolicyInputSpec[];
  materials: PolicyGroupMaterial[];
  attestation: PolicyAttachment[];
}
