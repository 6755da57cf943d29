import { type FieldReader, mappingAt, stringAt } from './field-reader';
import { type ContractMaterial, DNS_1123_LABEL } from './model';
import { parsePolicyMapping } from './parse-policy';
import type {
  ContractPolicies,
  PolicyAttachment,
  PolicyDocument,
  PolicyGroupAttachment,
  PolicyMatchMode,
  PolicyRef,
} from './policy-model';

/** `[org/]framework/requirement[@version]`, as Chainloop validates `requirements[]`. */
const REQUIREMENT =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?(@[a-z0-9][-a-z0-9.]*)?$/;

/** `spec.policies` of a contract: material and attestation attachments. Undefined when the contract has none. */
export function parseContractPolicies(
  body: FieldReader,
  materials: ContractMaterial[],
  hasGroups: boolean,
): ContractPolicies | undefined {
  const policies = body.mappingField('policies');
  if (policies === undefined) return undefined;
  const attach = (key: string) =>
    policies.list(key).map(({ path, value }) => parsePolicyAttachment(mappingAt(path, value, body.fail)));
  const result: ContractPolicies = { materials: attach('materials'), attestation: attach('attestation') };
  // Groups may bring materials of their own (merged at init), so a selector can only be checked without them.
  if (!hasGroups) for (const attachment of result.materials) checkSelector(body, attachment, materials);
  for (const attachment of result.attestation) {
    if (attachment.selector !== undefined) {
      throw body.fail(
        `${attachment.path}.selector`,
        'an attestation policy applies to the whole attestation: remove the selector',
      );
    }
  }
  return result;
}

/** `spec.policyGroups`: references to `kind: PolicyGroup` documents. */
export function parsePolicyGroupAttachments(body: FieldReader): PolicyGroupAttachment[] {
  return body.list('policyGroups', 'policy_groups').map(({ path, value }) => {
    const group = mappingAt(path, value, body.fail);
    const ref = group.string('ref');
    if (ref === undefined || ref === '') throw body.fail(`${path}.ref`, 'required: the name of a policy group');
    const attachment: PolicyGroupAttachment = {
      path,
      ref: parsePolicyRef(group.child('ref'), ref, group),
      with: group.stringMap('with') ?? {},
      skip: group.list('skip').map((entry) => stringAt(entry.path, entry.value, body.fail)),
    };
    const gate = group.optionalBoolean('gate');
    if (gate !== undefined) attachment.gate = gate;
    return attachment;
  });
}

export function parsePolicyAttachment(attachment: FieldReader): PolicyAttachment {
  const { path, fail } = attachment;
  const ref = attachment.raw('ref');
  const embedded = attachment.mappingField('embedded');
  if ((ref === undefined) === (embedded === undefined)) {
    throw fail(
      path,
      ref === undefined
        ? 'expected ref (a stored or built-in policy: name[@revision]) or embedded (a kind: Policy document)'
        : 'give either ref or embedded, not both',
    );
  }
  let policy: PolicyAttachment['policy'];
  if (embedded !== undefined) policy = { embedded: parsePolicyMapping(embedded) };
  else {
    const text = stringAt(attachment.child('ref'), ref?.value, fail);
    policy = { ref: parsePolicyRef(attachment.child('ref'), text, attachment) };
  }
  const parsed: PolicyAttachment = {
    path,
    policy,
    disabled: attachment.boolean('disabled'),
    with: attachment.stringMap('with') ?? {},
    requirements: attachment.list('requirements').map(({ path: at, value }) => {
      const requirement = stringAt(at, value, fail);
      if (!REQUIREMENT.test(requirement)) {
        throw fail(
          at,
          `${JSON.stringify(requirement)} is not a requirement reference ([org/]framework/requirement[@version])`,
        );
      }
      return requirement;
    }),
  };
  const selector = parseSelector(attachment);
  if (selector !== undefined) parsed.selector = selector;
  const gate = attachment.optionalBoolean('gate');
  if (gate !== undefined) parsed.gate = gate;
  if (embedded !== undefined) checkInputs(attachment, (policy as { embedded: PolicyDocument }).embedded, parsed.with);
  return parsed;
}

function parseSelector(attachment: FieldReader): PolicyAttachment['selector'] {
  const selector = attachment.mappingField('selector');
  if (selector === undefined) return undefined;
  const name = selector.string('name') ?? '';
  const mode = selector.raw('matchMode', 'match_mode')?.value ?? 'EXACT';
  let matchMode: PolicyMatchMode;
  if (mode === 'EXACT' || mode === 'MATCH_MODE_UNSPECIFIED' || mode === 'UNSPECIFIED' || mode === 0 || mode === 1) {
    matchMode = 'EXACT';
  } else if (mode === 'PREFIX' || mode === 2) matchMode = 'PREFIX';
  else
    throw attachment.fail(
      selector.child('matchMode'),
      `unknown match mode ${JSON.stringify(mode)} (known: EXACT, PREFIX)`,
    );
  if (name === '') throw attachment.fail(selector.child('name'), 'required: the material name the policy applies to');
  if (matchMode === 'EXACT' && !DNS_1123_LABEL.test(name)) {
    throw attachment.fail(selector.child('name'), `${JSON.stringify(name)} is not a material name (a DNS-1123 label)`);
  }
  return { name, matchMode };
}

/**
 * `ref` forms: `name`, `chainloop://name` (the control plane), `builtin://name` (shipped with Chainloop TS),
 * `file://path`; `@<revision>` or `@sha256:<hex>` pins a stored or built-in policy.
 */
export function parsePolicyRef(path: string, ref: string, owner: FieldReader): PolicyRef {
  const fail = owner.fail;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/.exec(ref);
  const scheme = schemeMatch?.[1] ?? 'chainloop';
  const rest = schemeMatch?.[2] ?? ref;
  if (scheme === 'http' || scheme === 'https') {
    throw fail(
      path,
      `${ref}: policies over ${scheme} are not supported yet: store it in the control plane (chainloop policy create) or use file://`,
    );
  }
  if (scheme === 'file') {
    if (rest === '') throw fail(path, 'file:// needs a path');
    return { ref, scheme, name: rest };
  }
  if (scheme !== 'chainloop' && scheme !== 'builtin') {
    throw fail(path, `unknown scheme "${scheme}://" (known: chainloop://, builtin://, file://, or a bare name)`);
  }
  const at = rest.indexOf('@');
  // chainloop://[provider:][org/]name: Chainloop TS has one provider and one organisation, so only the name counts.
  const qualified = at < 0 ? rest : rest.slice(0, at);
  const name = qualified.slice(qualified.lastIndexOf('/') + 1).replace(/^[^:]*:/, '');
  if (!DNS_1123_LABEL.test(name))
    throw fail(path, `${JSON.stringify(ref)}: ${JSON.stringify(name)} is not a policy name (a DNS-1123 label)`);
  const parsed: PolicyRef = { ref, scheme, name };
  if (at >= 0) {
    const pin = rest.slice(at + 1);
    if (/^sha256:[0-9a-f]{64}$/.test(pin)) parsed.digest = pin;
    else if (/^[1-9][0-9]{0,8}$/.test(pin)) parsed.revision = Number(pin);
    else
      throw fail(path, `${JSON.stringify(ref)}: "@${pin}" is neither a revision (@3) nor a digest (@sha256:<64 hex>)`);
  }
  return parsed;
}

function checkSelector(body: FieldReader, attachment: PolicyAttachment, materials: ContractMaterial[]): void {
  const selector = attachment.selector;
  if (selector === undefined) return;
  const matches = materials.some((material) =>
    selector.matchMode === 'PREFIX' ? material.name.startsWith(selector.name) : material.name === selector.name,
  );
  if (!matches) {
    const names = materials.map((material) => material.name).join(', ');
    throw body.fail(
      `${attachment.path}.selector.name`,
      `"${selector.name}" names no material of this contract (materials: ${names === '' ? 'none' : names})`,
    );
  }
}

/** An embedded policy's inputs are known at parse time: a misspelt or missing one is caught here, not in CI. */
function checkInputs(attachment: FieldReader, policy: PolicyDocument, given: Record<string, string>): void {
  const known = policy.inputs.map((input) => input.name);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw attachment.fail(
        `${attachment.child('with')}.${key}`,
        `policy "${policy.name}" has no input "${key}" (inputs: ${known.length === 0 ? 'none' : known.join(', ')})`,
      );
    }
  }
  for (const input of policy.inputs) {
    if (input.required && (given[input.name] ?? '') === '') {
      throw attachment.fail(
        attachment.child('with'),
        `policy "${policy.name}" requires input "${input.name}": add it under with`,
      );
    }
  }
}
