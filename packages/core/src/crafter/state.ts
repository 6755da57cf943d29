import type { Contract, MaterialKindName, RunnerTypeName } from '../contract/model';
import type { PolicyEvaluation } from '../policies/evaluation';

/**
 * The one serialisable crafting state. Every command loads it, applies one transition and saves it, whether it
 * lives in a local file or in the control plane (remote state).
 */
export const CRAFTING_STATE_VERSION = 1;

export interface CraftedMaterial {
  name: string;
  kind: MaterialKindName;
  /** STRING materials: the value itself. */
  value?: string;
  /** File materials: the file's base name. */
  fileName?: string;
  /**
   * Container images: fully qualified repository and tag; `hasLatestTag` when the registry's `latest` tag names the
   * same digest (rendered as `chainloop.material.image.is_latest_tag`, false when unknown, as Chainloop does).
   */
  image?: { name: string; tag?: string; hasLatestTag?: boolean };
  /** `sha256:<hex>` of the raw bytes (STRING: of the UTF-8 value; images: the manifest or index digest). */
  digest: string;
  size?: number;
  annotations: Record<string, string>;
  uploadedToCas: boolean;
  output: boolean;
  required: boolean;
  /** Added under a name the contract does not declare. */
  contractFree: boolean;
  addedAt: string;
  /**
   * The contract's policies that applied to this material when it was added (adding it again replaces them with the
   * new material's); absent when none applied.
   */
  policyEvaluations?: PolicyEvaluation[];
}

export interface GitHead {
  hash: string;
  authorName: string;
  authorEmail: string;
  /** The raw commit message, every line and the trailing newline included (go-git's Commit.Message). */
  message: string;
  /** The author date in UTC, RFC 3339 (`2024-05-01T12:00:00Z`). */
  date: string;
  /** The armored signature of a signed commit (its `gpgsig` header: PGP or SSH), as Chainloop records it. */
  signature?: string;
  /** Credentials stripped from the URLs. */
  remotes: Array<{ name: string; url: string }>;
}

export interface WorkflowMetadata {
  id: string;
  name: string;
  team: string;
  project: string;
  contractRevision: number;
  contractName?: string;
  /** `attestation init --project-version`: the version of the project this run builds. */
  projectVersion?: string;
  /** The control plane's run id; absent in dry runs. */
  runId?: string;
}

export interface RunnerContext {
  type: RunnerTypeName;
  url?: string;
  environment: string;
  /** The runner's own variables (GITHUB_SHA, CI_JOB_URL, …) as found at init. */
  variables: Record<string, string>;
}

export interface CraftingState {
  version: typeof CRAFTING_STATE_VERSION;
  /** Set with remote state: the id later commands pass as --attestation-id. */
  attestationId?: string;
  dryRun: boolean;
  initializedAt: string;
  workflow: WorkflowMetadata;
  contract: Contract;
  materials: Record<string, CraftedMaterial>;
  /** The contract's envAllowList, resolved; a missing variable is absent (shown as NOT FOUND). */
  envVars: Record<string, string>;
  runner: RunnerContext;
  head?: GitHead;
  annotations: Record<string, string>;
  /**
   * The organisation's policy strategy as the control plane answered at init (Chainloop's `block_on_policy_violation`):
   * when true (ENFORCED) any policy violation blocks the push, not only a gated policy's. Absent (a state written
   * before the setting existed) is false: ADVISORY.
   */
  blockOnPolicyViolation?: boolean;
  /**
   * The contract's attestation policies evaluated at init (phase INIT) on the statement as it was then; push adds
   * the PUSH-phase ones, which replace an INIT result of the same policy. Absent when none ran.
   */
  attestationPolicyEvaluations?: PolicyEvaluation[];
  /**
   * Set when a push failed after its statement may have reached the control plane (the answer was lost): when that
   * statement was finished, so that the next push renders the same statement, byte for byte, and can recognise it as
   * the one the control plane already stored. Absent on the happy path.
   */
  pendingPush?: PendingPush;
}

export interface PendingPush {
  /** The statement's `predicate.metadata.finishedAt` (ISO 8601). */
  finishedAt: string;
}

/** Required contract materials that have not been added yet, in contract order. */
export function missingRequiredMaterials(state: CraftingState): string[] {
  return state.contract.materials.filter((m) => !m.optional && !state.materials[m.name]).map((m) => m.name);
}
