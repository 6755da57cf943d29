import { parsePolicyDocument } from '../contract/parse-policy';
import { parsePolicyGroupDocument } from '../contract/parse-policy-group';
import type { PolicyDocument, PolicyGroupDocument } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import { compilePolicy } from './evaluate-policies';

/**
 * A policy document as the control plane stores it: parsed, and every script compiled (CEL syntax and types), so a
 * bad rule is refused when it is written rather than in CI. Throws `POLICY_INVALID` naming the path and the reason.
 */
export function checkPolicyDocument(text: string): PolicyDocument {
  const document = parsePolicyDocument(text);
  compilePolicy(document, '');
  return document;
}

/**
 * A policy group document as the control plane stores it: parsed, and the policies it embeds compiled. Policies it
 * refers to (`ref:`) are resolved when a contract uses the group. Throws `POLICY_GROUP_INVALID` naming the path.
 */
export function checkPolicyGroupDocument(text: string): PolicyGroupDocument {
  const group = parsePolicyGroupDocument(text, policyGroupError);
  const attachments = [...group.materials.flatMap((material) => material.policies), ...group.attestation];
  for (const attachment of attachments) {
    if (!('embedded' in attachment.policy)) continue;
    try {
      compilePolicy(attachment.policy.embedded, `${attachment.path}.embedded.`);
    } catch (error) {
      if (!(error instanceof ChainloopError)) throw error;
      throw policyGroupError('', error.message.replace(/^invalid policy: /, ''));
    }
  }
  return group;
}

function policyGroupError(path: string, reason: string): ChainloopError {
  const where = path === '' ? '' : `${path}: `;
  return new ChainloopError('POLICY_GROUP_INVALID', `invalid policy group: ${where}${reason}`, {
    exitCode: 2,
    graceful: false,
  });
}
