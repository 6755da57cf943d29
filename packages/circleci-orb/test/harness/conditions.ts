import { ConfigError } from './parameters';

/**
 * Evaluates a `when:`/`unless:` step condition (CircleCI "logic statements"): a literal is tested for truthiness
 * (false, null, 0, NaN and "" are false), maps combine with and / or / not / equal / matches.
 */
export function evaluateCondition(condition: unknown, where: string): boolean {
  if (condition === null || condition === undefined) return false;
  if (typeof condition !== 'object' || Array.isArray(condition)) {
    if (typeof condition === 'number') return condition !== 0 && !Number.isNaN(condition);
    return Boolean(condition);
  }
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw new ConfigError(`${where}: a logic statement has exactly one operator`);
  const [operator, operand] = entries[0];
  const list = (): unknown[] => {
    if (!Array.isArray(operand)) throw new ConfigError(`${where}: ${operator} takes a list`);
    return operand;
  };
  switch (operator) {
    case 'and':
      return list().every((item) => evaluateCondition(item, where));
    case 'or':
      return list().some((item) => evaluateCondition(item, where));
    case 'not':
      return !evaluateCondition(operand, where);
    case 'equal': {
      const [first, ...rest] = list();
      return rest.every((item) => JSON.stringify(item) === JSON.stringify(first));
    }
    case 'matches': {
      const { pattern, value } = operand as { pattern: string; value: string };
      return new RegExp(`^(?:${pattern})$`).test(String(value));
    }
    default:
      throw new ConfigError(`${where}: unknown logic operator "${operator}"`);
  }
}
