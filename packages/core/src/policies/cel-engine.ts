import { createContext, Script } from 'node:vm';
// @marcbachmann/cel-js: zero dependencies, plain JS values in and out, macros (has/all/exists/exists_one/map/filter),
// string, list, timestamp and duration functions, type checking, actively released, Node >= 20.19 like us;
// @bufbuild/cel is conformance-tested but returns wrapper objects, needs @bufbuild/protobuf and lacks cel.bind.
import { Environment } from '@marcbachmann/cel-js';
import { policyError } from '../contract/parse-policy';
import type { CelRule, CelScriptSource } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import type { CompiledScript, PolicyEngine, RuleInput, ScriptContext, ScriptOutcome } from './engine';
import type { PolicyViolation } from './evaluation';
import { splitInputValues } from './policy-inputs';

type Compiled = ((context: Record<string, unknown>) => unknown) & { check(): { valid: boolean; type?: string } };

/** Parse-time bounds: a rule is a line or two, never thousands of nodes. */
const LIMITS = {
  maxAstNodes: 5_000,
  maxDepth: 100,
  maxListElements: 1_000,
  maxMapEntries: 1_000,
  maxCallArguments: 32,
};

function celEnvironment(): Environment {
  return (
    new Environment({ homogeneousAggregateLiterals: false, limits: LIMITS })
      .registerVariable('input', 'dyn')
      .registerVariable('material', 'map')
      .registerVariable('predicate', 'dyn')
      .registerVariable('args', 'map')
      // An input holding one value is a string and several a list (Chainloop's convention); values() is always a list.
      .registerFunction('values(dyn): list<string>', (value: unknown) =>
        Array.isArray(value) ? value.map(String) : typeof value === 'string' ? splitInputValues(value) : [],
      )
      // cel-go's lists extension: a list of lists as one list (CEL macros cannot flatten on their own).
      .registerFunction('list.flatten(): list', (list: unknown[]) => list.flat(1))
  );
}

const environment = celEnvironment();

/**
 * CEL has no loops, but a macro over a large list inside another is quadratic: evaluation runs under node:vm's
 * `timeout`, which interrupts synchronous code on this thread (the engine included) once the budget is spent,
 * without a worker to start or a bundle entry to ship.
 */
const sandbox = createContext({});
const runInSandbox = new Script('run()');

function withinBudget<T>(run: () => T, timeoutMs: number): T {
  (sandbox as { run?: () => T }).run = run;
  try {
    return runInSandbox.runInContext(sandbox, { timeout: timeoutMs }) as T;
  } finally {
    (sandbox as { run?: () => T }).run = undefined;
  }
}

interface CompiledRule {
  label: string;
  rule: CelRule;
  condition?: Compiled;
  messageExpression?: Compiled;
  violations?: Compiled;
}

export const celEngine: PolicyEngine<CelScriptSource> = {
  name: 'cel',
  compile(source, where) {
    const skips = source.skip.map((skip, index) => ({
      reason: skip.reason,
      condition: compileExpression(skip.expression, `${where}.cel.skip[${index}].expression`, ['bool']),
    }));
    const rules = source.rules.map((rule, index): CompiledRule => {
      const at = `${where}.cel.rules[${index}]`;
      const label = `rules[${index}]${rule.name === undefined ? '' : ` "${rule.name}"`}`;
      if ('violations' in rule) {
        return { label, rule, violations: compileExpression(rule.violations, `${at}.violations`, ['list']) };
      }
      return {
        label,
        rule,
        condition: compileExpression(rule.expression, `${at}.expression`, ['bool']),
        ...(rule.messageExpression === undefined
          ? {}
          : { messageExpression: compileExpression(rule.messageExpression, `${at}.messageExpression`, ['string']) }),
      };
    });
    return new CelScript(skips, rules);
  },
};

/** Parses and type-checks one expression; `types` are the result types it may have (dyn always passes). */
function compileExpression(expression: string, where: string, types: string[]): Compiled {
  let compiled: Compiled;
  try {
    compiled = environment.parse(expression) as unknown as Compiled;
  } catch (error) {
    throw policyError(where, `not valid CEL: ${firstLine(error)}`);
  }
  const checked = compiled.check() as { valid: boolean; type?: string; error?: unknown };
  if (!checked.valid) throw policyError(where, `not valid CEL: ${firstLine(checked.error)}`);
  const type = checked.type ?? 'dyn';
  if (type !== 'dyn' && !types.some((wanted) => type === wanted || type.startsWith(`${wanted}<`))) {
    throw policyError(where, `yields ${type}, expected ${types.join(' or ')}`);
  }
  return compiled;
}

class CelScript implements CompiledScript {
  constructor(
    private readonly skips: { reason: string; condition: Compiled }[],
    private readonly rules: CompiledRule[],
  ) {}

  async evaluate(input: RuleInput, context: ScriptContext): Promise<ScriptOutcome> {
    const variables = { ...input } as unknown as Record<string, unknown>;
    let current = 'skip';
    try {
      return withinBudget(() => {
        const skipReasons = this.skips
          .filter((skip) => expectBoolean(skip.condition(variables), 'the skip condition'))
          .map((skip) => skip.reason);
        if (skipReasons.length > 0) return { skipped: true, skipReasons, violations: [] };
        const violations: PolicyViolation[] = [];
        for (const rule of this.rules) {
          current = rule.label;
          violations.push(...this.violationsOf(rule, variables, context.policyName));
        }
        return { skipped: false, skipReasons: [], violations };
      }, context.timeoutMs);
    } catch (error) {
      throw evaluationError(context, current, error);
    }
  }

  private violationsOf(rule: CompiledRule, variables: Record<string, unknown>, subject: string): PolicyViolation[] {
    if (rule.violations !== undefined) {
      const result = rule.violations(variables);
      if (!Array.isArray(result)) throw new RuleResultError(`violations yielded ${typeName(result)}, expected a list`);
      return result.map((entry, index) => violationOf(entry, index, subject));
    }
    if (expectBoolean(rule.condition?.(variables), 'the expression')) return [];
    const rule_ = rule.rule as { message?: string };
    let message = rule_.message ?? '';
    if (rule.messageExpression !== undefined) {
      const computed = rule.messageExpression(variables);
      if (typeof computed !== 'string') {
        throw new RuleResultError(`messageExpression yielded ${typeName(computed)}, expected a string`);
      }
      message = computed;
    }
    return [{ subject, message }];
  }
}

/** A rule that ran but yielded something of the wrong shape. */
class RuleResultError extends Error {}

function expectBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean')
    throw new RuleResultError(`${what} yielded ${typeName(value)}, expected true or false`);
  return value;
}

function violationOf(entry: unknown, index: number, subject: string): PolicyViolation {
  if (typeof entry === 'string') return { subject, message: entry };
  const map = entry instanceof Map ? Object.fromEntries(entry) : entry;
  if (typeof map === 'object' && map !== null && typeof (map as { message?: unknown }).message === 'string') {
    const { message, subject: own } = map as { message: string; subject?: unknown };
    return { subject: typeof own === 'string' && own !== '' ? own : subject, message };
  }
  throw new RuleResultError(
    `violations[${index}] is ${typeName(entry)}, expected a message string or a map with a "message" string`,
  );
}

function evaluationError(context: ScriptContext, rule: string, error: unknown): ChainloopError {
  const where = `policy "${context.policyName}" could not be evaluated on ${context.target}`;
  if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return new ChainloopError(
      'POLICY_EVALUATION_FAILED',
      `${where}: it ran past its ${context.timeoutMs} ms budget (at ${rule}): make the rule cheaper, e.g. filter before map, or avoid a macro inside a macro`,
      { cause: error, graceful: false },
    );
  }
  const fix =
    error instanceof RuleResultError
      ? 'fix the rule so it yields what its field expects'
      : 'fix the rule, or guard optional fields with has()';
  return new ChainloopError('POLICY_EVALUATION_FAILED', `${where}: ${rule}: ${firstLine(error)}: ${fix}`, {
    cause: error,
    graceful: false,
  });
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].replace(/[.:]$/, '');
}
