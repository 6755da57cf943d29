import { createHash } from 'node:crypto';
import { contractError } from '../contract/field-reader';
import type { Contract } from '../contract/model';
import type { PolicyAttachment, PolicyRef } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import { BUILTIN_POLICY_NAMES, builtinPolicyText } from './builtin';
import { compilePolicy } from './evaluate-policies';

/**
 * What can be checked of a parsed contract's policies where it is written (`chainloop workflow contract update`),
 * so that a mistake is refused then rather than in every CI job that crafts with it:
 * - every embedded policy's rules compile (CEL syntax and types);
 * - every `builtin://` ref names a built-in policy, without a revision, with a matching `@sha256:` pin if any;
 * - no policy group is a `builtin://` one (there are none).
 * Stored (`chainloop://`) and `file://` refs are resolved where the contract is used. Throws `CONTRACT_INVALID`
 * naming the path (`spec.policies.materials[0].embedded.spec.policies[0].cel.rules[1].expression: not valid CEL: …`).
 */
export function checkContractPolicies(contract: Pick<Contract, 'policies' | 'policyGroups'>): void {
  const attachments = [...(contract.policies?.materials ?? []), ...(contract.policies?.attestation ?? [])];
  for (const attachment of attachments) {
    if ('embedded' in attachment.policy) {
      compileEmbedded(attachment, attachment.policy.embedded);
    } else if (attachment.policy.ref.scheme === 'builtin') {
      checkBuiltin(attachment, attachment.policy.ref);
    }
  }
  for (const group of contract.policyGroups ?? []) {
    if (group.ref.scheme === 'builtin') {
      throw contractError(
        `${group.path}.ref`,
        `${JSON.stringify(group.ref.ref)}: there are no built-in policy groups: store the group in the control plane or use file://`,
      );
    }
  }
}

/** A compile error names the rule inside the contract: `invalid contract: <attachment>.embedded.spec.policies[i]…`. */
function compileEmbedded(attachment: PolicyAttachment, document: Parameters<typeof compilePolicy>[0]): void {
  try {
    compilePolicy(document, `${attachment.path}.embedded.`);
  } catch (error) {
    if (error instanceof ChainloopError && error.code === 'POLICY_INVALID') {
      throw new ChainloopError('CONTRACT_INVALID', error.message.replace(/^invalid policy: /, 'invalid contract: '), {
        exitCode: 2,
        graceful: false,
        cause: error,
      });
    }
    throw error;
  }
}

/** The checks the crafting resolver makes of a built-in ref (they fail in every job), made when the contract is written. */
function checkBuiltin(attachment: PolicyAttachment, ref: PolicyRef): void {
  const at = `${attachment.path}.ref`;
  const text = builtinPolicyText(ref.name);
  if (text === undefined) {
    throw contractError(
      at,
      `${JSON.stringify(ref.ref)} names no built-in policy (built-in: ${BUILTIN_POLICY_NAMES.join(', ')})`,
    );
  }
  if (ref.revision !== undefined) {
    throw contractError(
      at,
      `${JSON.stringify(ref.ref)}: built-in policies have no revisions: pin them with @sha256:<digest> or not at all`,
    );
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (ref.digest !== undefined && ref.digest !== `sha256:${sha256}`) {
    throw contractError(
      at,
      `${JSON.stringify(ref.ref)}: the built-in policy has digest sha256:${sha256}, not the pinned ${ref.digest}: update the pin`,
    );
  }
  // Required inputs left out are not refused here: a job may give them with `add --policy-input`.
}
