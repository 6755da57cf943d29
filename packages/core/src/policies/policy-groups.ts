import type { MaterialKindName } from '../contract/model';
import type { PolicyAttachment, PolicyGroupAttachment, PolicyGroupDocument } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import type { PolicyEvaluationReference } from './evaluation';
import { computePolicyInputs } from './policy-inputs';
import type { PolicyResolver } from './policy-resolver';

/** An attachment as evaluated: the contract's own, or one a policy group brought (recorded as `groupReference`). */
export type EvaluatedAttachment = PolicyAttachment & {
  groupReference?: PolicyEvaluationReference;
  /** Names of policies the group attachment's `skip` leaves out. */
  skipPolicies?: string[];
  /** A group material's type: its policies apply to materials of that kind only. */
  onlyKind?: MaterialKindName;
};

export interface ExpandedPolicyGroup {
  materials: EvaluatedAttachment[];
  attestation: EvaluatedAttachment[];
  /** Named materials the group declares (merged into the contract's at init; the contract's own definition wins). */
  declaredMaterials: { name: string; type: MaterialKindName; optional: boolean }[];
}

/**
 * A group attached to a contract, as the attachments it stands for: its `with` fills the group's inputs, which fill
 * the `{{ inputs.<name> }}` placeholders of its material names and of its policies' `with`; a named group material
 * becomes a selector; the attachment's `gate` overrides the group's policies' own.
 */
export function expandPolicyGroup(
  group: PolicyGroupDocument,
  attachment: PolicyGroupAttachment,
  reference: PolicyEvaluationReference,
): ExpandedPolicyGroup {
  const where = `policy group "${group.name}" (${attachment.path})`;
  const { values } = computePolicyInputs(
    { name: group.name, inputs: group.inputs, policies: [] },
    attachment.with,
    attachment.path,
    'policy group',
  );
  const fill = (text: string) =>
    text.replace(/\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
      if (!group.inputs.some((input) => input.name === name)) {
        throw new ChainloopError(
          'POLICY_GROUP_INVALID',
          `${where}: {{ inputs.${name} }} names no input of the group (inputs: ${group.inputs.map((i) => i.name).join(', ') || 'none'}): fix the group`,
          { exitCode: 2, graceful: false },
        );
      }
      return values[name] ?? '';
    });
  const adopt = (inner: PolicyAttachment, extra: Partial<EvaluatedAttachment>): EvaluatedAttachment => {
    const adopted: EvaluatedAttachment = {
      ...inner,
      ...extra,
      path: `${attachment.path} → ${inner.path}`,
      with: Object.fromEntries(Object.entries(inner.with).map(([key, value]) => [key, fill(value)])),
      groupReference: reference,
      skipPolicies: attachment.skip,
    };
    const gate = attachment.gate ?? inner.gate;
    if (gate !== undefined) adopted.gate = gate;
    return adopted;
  };
  const expanded: ExpandedPolicyGroup = { materials: [], attestation: [], declaredMaterials: [] };
  for (const material of group.materials) {
    const name = fill(material.name);
    if (name !== '' && material.type !== undefined) {
      expanded.declaredMaterials.push({ name, type: material.type, optional: material.optional });
    }
    for (const inner of material.policies) {
      expanded.materials.push(
        adopt(inner, {
          ...(name === '' ? {} : { selector: { name, matchMode: 'EXACT' as const } }),
          ...(material.type === undefined ? {} : { onlyKind: material.type }),
        }),
      );
    }
  }
  for (const inner of group.attestation) expanded.attestation.push(adopt(inner, {}));
  return expanded;
}

/** Every attachment a contract stands for: its own policies, then those of each attached group, in order. */
export async function contractPolicyAttachments(
  contract: {
    policies?: { materials: PolicyAttachment[]; attestation: PolicyAttachment[] };
    policyGroups?: PolicyGroupAttachment[];
  },
  resolver: PolicyResolver,
): Promise<ExpandedPolicyGroup> {
  const all: ExpandedPolicyGroup = {
    materials: [...(contract.policies?.materials ?? [])],
    attestation: [...(contract.policies?.attestation ?? [])],
    declaredMaterials: [],
  };
  for (const attachment of contract.policyGroups ?? []) {
    const { group, reference } = await resolver.resolveGroup(attachment.ref, attachment.path);
    const expanded = expandPolicyGroup(group, attachment, reference);
    all.materials.push(...expanded.materials);
    all.attestation.push(...expanded.attestation);
    all.declaredMaterials.push(...expanded.declaredMaterials);
  }
  return all;
}
