import type { ContractPolicies, PolicyGroupAttachment } from './policy-model';

/**
 * The one contract model both on-disk forms (`schemaVersion: v1` and `apiVersion: chainloop.dev/v1, kind: Contract`)
 * parse into. The control plane and the crafter share it.
 */
export const MATERIAL_KINDS = [
  'STRING',
  'CONTAINER_IMAGE',
  'ARTIFACT',
  'SBOM_CYCLONEDX_JSON',
  'SBOM_SPDX_JSON',
  'JUNIT_XML',
  'OPENVEX',
  'CSAF_VEX',
  'CSAF_INFORMATIONAL_ADVISORY',
  'CSAF_SECURITY_ADVISORY',
  'CSAF_SECURITY_INCIDENT_RESPONSE',
  'SARIF',
  'HELM_CHART',
  'EVIDENCE',
  'ATTESTATION',
  'GITLAB_SECURITY_REPORT',
  'CHAINLOOP_RUNNER_CONTEXT',
  'CHAINLOOP_PR_INFO',
] as const;
export type MaterialKindName = (typeof MATERIAL_KINDS)[number];

export const RUNNER_TYPES = [
  'GITHUB_ACTION',
  'GITLAB_PIPELINE',
  'AZURE_PIPELINE',
  'JENKINS_JOB',
  'CIRCLECI_BUILD',
  'DAGGER_PIPELINE',
  'TEAMCITY_PIPELINE',
  'TEKTON_PIPELINE',
] as const;
/** `RUNNER_TYPE_UNSPECIFIED` is the generic fallback runner (no CI detected). */
export type RunnerTypeName = (typeof RUNNER_TYPES)[number] | 'RUNNER_TYPE_UNSPECIFIED';

export interface Annotation {
  name: string;
  /** Empty means the value must be supplied at add/push time with --annotation. */
  value: string;
}

export interface ContractMaterial {
  name: string;
  type: MaterialKindName;
  optional: boolean;
  output: boolean;
  skipUpload: boolean;
  annotations: Annotation[];
}

export interface Contract {
  /** Which on-disk form it came from. */
  form: 'v1' | 'v2';
  /** `metadata.name` of the v2 form; undefined for v1. */
  name?: string;
  description?: string;
  /** `metadata.annotations` of the v2 form (a map); undefined for v1. Not the same as `annotations` below. */
  metadataAnnotations?: Record<string, string>;
  materials: ContractMaterial[];
  envAllowList: string[];
  /** Undefined when the contract does not pin a CI. */
  runnerType?: RunnerTypeName;
  annotations: Annotation[];
  /** `policies`: set only when the contract attaches any (older crafting states have none). */
  policies?: ContractPolicies;
  /** `policyGroups`: set only when the contract attaches any. */
  policyGroups?: PolicyGroupAttachment[];
}

/** Material (and workflow) names: DNS-1123 labels, as the original's proto validation requires. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
