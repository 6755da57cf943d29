/**
 * The names the control plane accepts only in a given shape (its request schemas use these rules), with the shape in
 * words: a client checks a name before sending it and says what a valid one looks like, as the server would.
 */
import { DNS_1123_LABEL } from './contract/model';

export interface NameRule {
  /** What the name is, e.g. `workflow name`. */
  what: string;
  /** How to write a valid one, in words, e.g. `use lowercase letters, …`. */
  rule: string;
  /** A valid one, for messages; undefined when `rule` already shows one. */
  example?: string;
  /** The shape the name must match, if any. */
  pattern?: RegExp;
  /** Length bounds in characters (Unicode code points, as JSON schema counts them). */
  minLength: number;
  maxLength: number;
}

/** Workflow names are DNS-1123 labels, as the original's proto validation requires. */
export const WORKFLOW_NAME_RULE: NameRule = {
  what: 'workflow name',
  rule: "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (a DNS-1123 label, e.g. build-and-test)",
  pattern: DNS_1123_LABEL,
  minLength: 1,
  maxLength: 63,
};

/** A short free-text name (team, project, robot account, key): not empty, at most 200 characters. */
export function shortNameRule(what: string, example?: string): NameRule {
  return { what, rule: 'use 1 to 200 characters', example, minLength: 1, maxLength: 200 };
}

export function followsNameRule(rule: NameRule, value: string): boolean {
  const length = [...value].length;
  return length >= rule.minLength && length <= rule.maxLength && (rule.pattern?.test(value) ?? true);
}

/**
 * Undefined when `value` follows the rule; else one line naming the field and the value, the rule in words and a valid
 * example: `--name "Bad_Name" is not a valid workflow name: use lowercase letters, … (…, e.g. build-and-test)`.
 */
export function nameRuleViolation(field: string, value: string, rule: NameRule): string | undefined {
  if (followsNameRule(rule, value)) return undefined;
  const example = rule.example === undefined ? '' : ` (e.g. ${JSON.stringify(rule.example)})`;
  return `${field} ${quotedName(value)} is not a valid ${rule.what}: ${rule.rule}${example}`;
}

/** The value as JSON, cut short so a 2000-character value does not become the whole message. */
function quotedName(value: string): string {
  const text = JSON.stringify(value);
  return text.length <= 80 ? text : `${text.slice(0, 60)}…" (${[...value].length} characters)`;
}
