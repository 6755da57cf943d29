import type { MaterialKindName } from '../contract/model';
import {
  ATTESTATION_EVALUATIONS_KEY,
  type PolicyCheckBlockingStrategy,
  type PolicyEvaluation,
  summarizePolicies,
} from '../policies/evaluation';
import { notInitialized } from './local-state-store';
import type { CraftingState } from './state';
import type { StateStore } from './state-store';

/** How `add` and `status` print one evaluation (from the policies module without loading the CEL engine). */
export { describePolicyEvaluation } from '../policies/evaluation';

export interface MaterialStatus {
  name: string;
  type: MaterialKindName;
  set: boolean;
  required: boolean;
  output: boolean;
  /** `name@sha256:…` for files and images, the value for strings. */
  value?: string;
  digest?: string;
  tag?: string;
  annotations: Record<string, string>;
  /** The material's policy evaluations from its last add; empty when none applied or it is not set. */
  policyEvaluations: PolicyEvaluation[];
}

export interface AttestationStatus {
  attestationId?: string;
  initializedAt: string;
  dryRun: boolean;
  workflow: CraftingState['workflow'];
  materials: MaterialStatus[];
  /** The contract's env allow-list, in order; undefined value = NOT FOUND. */
  envVars: Array<{ name: string; value?: string }>;
  runner: CraftingState['runner'];
  annotations: Record<string, string>;
  /** Policy evaluations so far by material name, and those of init's attestation policies under CHAINLOOP.ATTESTATION. */
  policyEvaluations: Record<string, PolicyEvaluation[]>;
  hasPolicyViolations: boolean;
  /** Gated policies with violations: push refuses them unless it bypasses policy checks. */
  hasGatedPolicyViolations: boolean;
  /** ENFORCED: the organisation blocks the push on any violation; ADVISORY: only gated policies' block it. */
  policyCheckBlockingStrategy: PolicyCheckBlockingStrategy;
}

/** What `attestation status` shows: contract materials in contract order, then materials added outside it. */
export function describeState(state: CraftingState): AttestationStatus {
  const materials: MaterialStatus[] = state.contract.materials.map((declared) => {
    const crafted = state.materials[declared.name];
    return {
      name: declared.name,
      type: declared.type,
      set: crafted !== undefined,
      required: !declared.optional,
      output: declared.output,
      ...(crafted ? craftedValue(crafted) : {}),
      annotations: crafted?.annotations ?? {},
      policyEvaluations: crafted?.policyEvaluations ?? [],
    };
  });
  for (const crafted of Object.values(state.materials)) {
    if (state.contract.materials.some((m) => m.name === crafted.name)) continue;
    materials.push({
      name: crafted.name,
      type: crafted.kind,
      set: true,
      required: false,
      output: crafted.output,
      ...craftedValue(crafted),
      annotations: crafted.annotations,
      policyEvaluations: crafted.policyEvaluations ?? [],
    });
  }
  const policyEvaluations: Record<string, PolicyEvaluation[]> = Object.fromEntries(
    materials.filter((m) => m.policyEvaluations.length > 0).map((m) => [m.name, m.policyEvaluations]),
  );
  if (state.attestationPolicyEvaluations?.length) {
    policyEvaluations[ATTESTATION_EVALUATIONS_KEY] = state.attestationPolicyEvaluations;
  }
  const summary = summarizePolicies(Object.values(policyEvaluations).flat(), {
    blockOnViolation: state.blockOnPolicyViolation === true,
    bypass: false,
  });
  return {
    attestationId: state.attestationId,
    initializedAt: state.initializedAt,
    dryRun: state.dryRun,
    workflow: state.workflow,
    materials,
    envVars: state.contract.envAllowList.map((name) => ({ name, value: state.envVars[name] })),
    runner: state.runner,
    annotations: state.annotations,
    policyEvaluations,
    hasPolicyViolations: summary.policyHasViolations,
    hasGatedPolicyViolations: summary.policyHasGatedViolations,
    policyCheckBlockingStrategy: summary.policyCheckBlockingStrategy,
  };
}

function craftedValue(crafted: CraftingState['materials'][string]): Pick<MaterialStatus, 'value' | 'digest' | 'tag'> {
  if (crafted.kind === 'STRING') return { value: crafted.value, digest: crafted.digest };
  if (crafted.image)
    return { value: `${crafted.image.name}@${crafted.digest}`, digest: crafted.digest, tag: crafted.image.tag };
  return { value: `${crafted.fileName}@${crafted.digest}`, digest: crafted.digest };
}

export async function attestationStatus(store: StateStore): Promise<AttestationStatus> {
  const state = await store.read();
  if (!state) throw notInitialized(store.description);
  return describeState(state);
}
