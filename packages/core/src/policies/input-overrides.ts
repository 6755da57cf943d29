import { DNS_1123_LABEL } from '../contract/model';
import type { PolicyDocument } from '../contract/policy-model';
import { UsageError } from '../errors';

/** `attestation add --policy-input [<policy>:]<input>=<value>`: a value that replaces the contract's for one material. */
export interface PolicyInputOverride {
  /** Only this policy's input; without it, the input of every policy applied to the material that declares it. */
  policy?: string;
  input: string;
  value: string;
  /** The flag's value as given, for messages. */
  flag: string;
}

/** Policy input names, as policy documents declare them. */
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const FLAG_FORM =
  'use [<policy>:]<input>=<value>, e.g. --policy-input min_components=5 or --policy-input sbom-min-components:min_components=5';

/** Parses the `--policy-input` flags; a malformed one is a usage error naming it. */
export function parsePolicyInputFlags(flags: readonly string[] | undefined): PolicyInputOverride[] {
  return (flags ?? []).map((flag) => {
    const equals = flag.indexOf('=');
    if (equals < 0) {
      throw new UsageError('POLICY_INPUT_FLAG_INVALID', `--policy-input "${flag}" has no "=<value>": ${FLAG_FORM}`);
    }
    const key = flag.slice(0, equals);
    const value = flag.slice(equals + 1);
    const colon = key.indexOf(':');
    const policy = colon < 0 ? undefined : key.slice(0, colon);
    const input = colon < 0 ? key : key.slice(colon + 1);
    if (policy !== undefined && !DNS_1123_LABEL.test(policy)) {
      throw new UsageError(
        'POLICY_INPUT_FLAG_INVALID',
        `--policy-input "${flag}": "${policy}" is not a policy name (its metadata.name, a DNS-1123 label): ${FLAG_FORM}`,
      );
    }
    if (!INPUT_NAME.test(input)) {
      throw new UsageError(
        'POLICY_INPUT_FLAG_INVALID',
        `--policy-input "${flag}": "${input}" is not an input name (letters, digits and _, not starting with a digit): ${FLAG_FORM}`,
      );
    }
    if (value.trim() === '') {
      throw new UsageError(
        'POLICY_INPUT_FLAG_INVALID',
        `--policy-input "${flag}" gives input "${input}" no value: ${FLAG_FORM} (drop the flag to keep the contract's value)`,
      );
    }
    return { ...(policy !== undefined && { policy }), input, value, flag };
  });
}

/**
 * The `with` a policy runs with on this material: the attachment's, with each input the flags give and the policy
 * declares replaced. A flag naming the policy wins over one that does not; several flags for one input are several
 * values (one per line, as `with:` writes them).
 */
export function withInputOverrides(
  given: Record<string, string>,
  document: PolicyDocument,
  overrides: readonly PolicyInputOverride[] | undefined,
): Record<string, string> {
  if (!overrides || overrides.length === 0) return given;
  const declared = new Set(document.inputs.map((input) => input.name));
  const mine = overrides.filter((override) => declared.has(override.input));
  const values = (list: PolicyInputOverride[]) => {
    const byInput: Record<string, string[]> = {};
    for (const override of list) {
      byInput[override.input] ??= [];
      byInput[override.input].push(override.value);
    }
    return Object.fromEntries(Object.entries(byInput).map(([input, parts]) => [input, parts.join('\n')]));
  };
  return {
    ...given,
    ...values(mine.filter((override) => override.policy === undefined)),
    ...values(mine.filter((override) => override.policy === document.name)),
  };
}

/**
 * Refuses a flag no policy applied to the material can take (an input none declares, or a policy that does not apply),
 * naming it and what the applied policies declare: a typo must not silently leave the contract's value in place.
 */
export function checkInputOverrides(
  applied: readonly PolicyDocument[],
  overrides: readonly PolicyInputOverride[] | undefined,
  materialName: string,
): void {
  for (const override of overrides ?? []) {
    const where = `--policy-input "${override.flag}"`;
    if (applied.length === 0) {
      throw new UsageError(
        'POLICY_INPUT_UNKNOWN',
        `${where}: no policy applies to material "${materialName}", so no input can be given: drop the flag`,
      );
    }
    const candidates =
      override.policy === undefined ? applied : applied.filter((document) => document.name === override.policy);
    if (candidates.length === 0) {
      throw new UsageError(
        'POLICY_INPUT_UNKNOWN',
        `${where}: policy "${override.policy}" does not apply to material "${materialName}" (applied: ${names(applied)}): name one of those, or leave the policy out`,
      );
    }
    if (candidates.some((document) => document.inputs.some((input) => input.name === override.input))) continue;
    const declared = candidates
      .map(
        (document) =>
          `${document.name} declares ${document.inputs.length === 0 ? 'none' : document.inputs.map((input) => input.name).join(', ')}`,
      )
      .join('; ');
    throw new UsageError(
      'POLICY_INPUT_UNKNOWN',
      `${where}: ${override.policy === undefined ? 'no policy applied to' : `policy "${override.policy}" on`} material "${materialName}" declares input "${override.input}" (${declared}): give one of the declared inputs`,
    );
  }
}

function names(documents: readonly PolicyDocument[]): string {
  return [...new Set(documents.map((document) => document.name))].join(', ');
}
