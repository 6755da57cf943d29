import type { Parameters } from './config-model';

const REFERENCE = /<<\s*([a-zA-Z][\w-]*)\.([\w.-]+)\s*>>/g;
const WHOLE_REFERENCE = /^\s*<<\s*([a-zA-Z][\w-]*)\.([\w.-]+)\s*>>\s*$/;
/** The schema's rule for env_var_name values. */
const ENV_VAR_NAME = /^[a-zA-Z][a-zA-Z0-9_-]+$/;

export class ConfigError extends Error {}

/**
 * Binds an invocation's arguments to declared parameters the way CircleCI compiles config: defaults fill the
 * gaps, a parameter without default is required, unknown arguments and wrong types are errors.
 */
export function bindParameters(
  declared: Parameters | undefined,
  given: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  const declarations = declared ?? {};
  const unexpected = Object.keys(given).filter((name) => !(name in declarations));
  if (unexpected.length > 0) throw new ConfigError(`${where}: unexpected argument(s): ${unexpected.join(', ')}`);
  const bound: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declarations)) {
    const value = name in given ? given[name] : declaration.default;
    if (value === undefined) throw new ConfigError(`${where}: missing required argument "${name}"`);
    checkType(value, declaration, `${where}: argument "${name}"`);
    bound[name] = value;
  }
  return bound;
}

function checkType(value: unknown, declaration: Parameters[string], where: string): void {
  const fail = (expected: string) => {
    throw new ConfigError(`${where} is ${JSON.stringify(value)}: expected ${expected}`);
  };
  switch (declaration.type) {
    case 'string':
      if (typeof value !== 'string') fail('a string');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('a boolean');
      return;
    case 'integer':
      if (!Number.isInteger(value)) fail('an integer');
      return;
    case 'enum':
      if (!declaration.enum?.includes(value as string)) fail(`one of ${declaration.enum?.join(', ')}`);
      return;
    case 'env_var_name':
      if (typeof value !== 'string' || !ENV_VAR_NAME.test(value)) fail('an environment variable name');
      return;
    case 'steps':
      if (!Array.isArray(value)) fail('a list of steps');
      return;
    case 'executor':
      if (typeof value !== 'string' && (typeof value !== 'object' || value === null)) fail('an executor');
      return;
    default:
      throw new ConfigError(`${where}: unknown parameter type "${String(declaration.type)}"`);
  }
}

/**
 * Substitutes `<< parameters.x >>` (and `<< pipeline.x >>`) through a tree. A string that is exactly one reference
 * takes the value with its type (a boolean stays a boolean, steps stay a list); inside longer text the value is
 * printed. An unknown reference is an error, as it is for CircleCI.
 */
export function substitute(
  tree: unknown,
  values: { parameters: Record<string, unknown>; pipeline?: Record<string, unknown> },
  where: string,
): unknown {
  if (typeof tree === 'string') {
    const whole = WHOLE_REFERENCE.exec(tree);
    if (whole) return lookup(whole[1], whole[2], values, where);
    return tree.replace(REFERENCE, (_match, namespace: string, name: string) =>
      String(lookup(namespace, name, values, where)),
    );
  }
  if (Array.isArray(tree)) return tree.map((item) => substitute(item, values, where));
  if (tree !== null && typeof tree === 'object') {
    return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, substitute(value, values, where)]));
  }
  return tree;
}

function lookup(
  namespace: string,
  name: string,
  values: { parameters: Record<string, unknown>; pipeline?: Record<string, unknown> },
  where: string,
): unknown {
  const table = namespace === 'parameters' ? values.parameters : namespace === 'pipeline' ? values.pipeline : undefined;
  if (!table || !(name in table)) throw new ConfigError(`${where}: unknown reference << ${namespace}.${name} >>`);
  return table[name];
}

/** Text left in a command that CircleCI would have tried to interpret (and failed on). */
export function leftoverReference(text: string): string | undefined {
  return /<<\s*[\w.()/-]+\s*>>/.exec(text)?.[0];
}
