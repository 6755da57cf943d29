/** The control plane's resources as the client returns them (plain objects, camelCase, ISO-8601 UTC times). */
export interface Workflow {
  id: string;
  name: string;
  team: string;
  project: string;
  description: string;
  createdAt: string;
}

export interface ContractRevision {
  workflowId: string;
  revision: number;
  /** The contract text exactly as uploaded. */
  body: string;
  format: 'yaml' | 'json';
  createdAt: string;
}

export interface RobotAccount {
  id: string;
  name: string;
  workflowId: string;
  createdAt: string;
  revokedAt?: string;
  /** Only in the answer to createRobotAccount: the server keeps a hash and can never show it again. */
  token?: string;
}

export type WorkflowRunStatus = 'initialized' | 'succeeded' | 'failed' | 'cancelled' | 'expired';
export type ResetTrigger = 'failure' | 'cancellation';

export interface WorkflowRun {
  id: string;
  workflowId: string;
  workflowName: string;
  status: WorkflowRunStatus;
  runnerType: string;
  jobUrl: string;
  contractRevision: number;
  createdAt: string;
  finishedAt?: string;
  trigger?: ResetTrigger;
  reason?: string;
  attestationDigest?: string;
}

export interface StoredAttestation {
  digest: string;
  runId: string;
  workflowId: string;
  /** The bundle JSON exactly as pushed. */
  bundle: string;
  createdAt: string;
}

export type Identity = { kind: 'admin' } | { kind: 'robot'; workflow: Workflow };

export interface BlobRef {
  digest: string;
  size: number;
}

/** A public key registered for a workflow: key-signed attestations of the workflow must verify with one of them. */
export interface WorkflowKey {
  id: string;
  workflowId: string;
  name: string;
  /** `sha256:<hex>` of the SPKI DER. */
  fingerprint: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  createdAt: string;
}

/** A policy or policy group stored in the control plane (organisation-wide, by name): one revision of it. */
export interface StoredPolicySummary {
  /** Its metadata.name, what contracts refer to (`ref: name[@revision]`). */
  name: string;
  revision: number;
  /** `sha256:<hex>` of the document's bytes: what a contract's `@sha256:` pin is checked against. */
  digest: string;
  createdAt: string;
  description?: string;
  /** Policies only: the material kinds its scripts evaluate (ATTESTATION: the statement). */
  kinds?: string[];
}

export interface StoredPolicy extends StoredPolicySummary {
  /** The document exactly as uploaded, YAML or JSON. */
  body: string;
}

/** The organisation's policy strategy (Chainloop's `block_on_policy_violation`). */
export interface PolicySettings {
  /** true: any policy violation blocks attestation push (ENFORCED); false: only gated policies do (ADVISORY). */
  blockOnPolicyViolation: boolean;
}

/** What `attestation init` learns from the control plane. */
export interface CraftingContract {
  workflow: Workflow;
  contract: ContractRevision;
  /** Absent from control planes older than the setting: false. */
  blockOnPolicyViolation?: boolean;
}
