import type { PolicyDocument } from '../contract/policy-model';
import { ChainloopError } from '../errors';

/**
 * The values a policy runs with, as Chainloop computes them: the attachment's `with`, then each input's default
 * when the value is missing or empty; a required input left empty is an error; values for inputs the policy does
 * not declare are dropped (returned in `ignored` so the caller can warn, as Chainloop logs).
 */
export function computePolicyInputs(
  policy: PolicyDocument,
  given: Record<string, string>,
  where: string,
  what: 'policy' | 'policy group' = 'policy',
): { values: Record<string, string>; ignored: string[] } {
  const values: Record<string, string> = {};
  for (const input of policy.inputs) {
    const value = given[input.name] ?? '';
    if (value !== '') values[input.name] = value;
    else if (input.required) {
      throw new ChainloopError(
        'POLICY_INPUT_MISSING',
        `${what} "${policy.name}" (${where}) requires input "${input.name}": give it under with: in the contract`,
        { exitCode: 2, graceful: false },
      );
    } else if (input.default !== undefined) values[input.name] = input.default;
  }
  const declared = new Set(policy.inputs.map((input) => input.name));
  return { values, ignored: Object.keys(given).filter((name) => !declared.has(name)) };
}

/** What rules see as `args`: one value stays a string, several become a list (Chainloop's getInputArguments). */
export function ruleArguments(values: Record<string, string>): Record<string, string | string[]> {
  const args: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    const parts = splitInputValues(value);
    if (parts.length === 1) args[name] = parts[0];
    else if (parts.length > 1) args[name] = parts;
  }
  return args;
}

/** Newline-separated lines, each comma-separated (`\,` is a literal comma); trimmed, empty parts dropped. */
export function splitInputValues(value: string): string[] {
  const placeholder = '\u0000';
  return value
    .split('\n')
    .flatMap((line) => line.replaceAll('\\,', placeholder).split(','))
    .map((part) => part.replaceAll(placeholder, ',').trim())
    .filter((part) => part !== '');
}
