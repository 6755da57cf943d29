import { evaluateCondition } from './conditions';
import type { CommandDefinition, ExecutorDefinition, JobDefinition, Scope, StepDefinition } from './config-model';
import { bindParameters, ConfigError, leftoverReference, substitute } from './parameters';

export type When = 'on_success' | 'on_fail' | 'always';

/** A step after compilation: what the runner executes, with nothing left to resolve. */
export type CompiledStep =
  | {
      kind: 'run';
      name: string;
      command: string;
      environment: Record<string, string>;
      when: When;
      workingDirectory?: string;
    }
  | { kind: 'checkout'; name: string; path?: string }
  | { kind: 'persist_to_workspace'; name: string; root: string; paths: string[] }
  | { kind: 'attach_workspace'; name: string; at: string }
  /** A built-in step whose effect lies outside the job (artifacts, test results, caches): recorded, not emulated. */
  | { kind: 'not_emulated'; name: string };

export interface CompiledJob {
  name: string;
  /** Containers that run the job's steps side by side (CIRCLE_NODE_TOTAL). */
  parallelism: number;
  environment: Record<string, string>;
  workingDirectory: string;
  steps: CompiledStep[];
}

export interface CompileContext {
  /** The user config's scope: `alias/name` references and steps passed as parameters resolve against it. */
  root: Scope;
  pipeline: Record<string, unknown>;
}

const WHEN_VALUES: When[] = ['on_success', 'on_fail', 'always'];

/** Keys a workflow job entry may carry that are not job parameters. */
const INVOCATION_KEYS = new Set([
  'requires',
  'context',
  'name',
  'filters',
  'matrix',
  'pre-steps',
  'post-steps',
  'type',
]);

/** Compiles a job invocation (a workflow entry) into the steps a runner executes. */
export function compileJob(jobName: string, invocation: Record<string, unknown>, context: CompileContext): CompiledJob {
  const { scope, definition } = resolve<JobDefinition>(context.root, context.root, jobName, 'jobs');
  const where = `job "${jobName}"`;
  const args = Object.fromEntries(Object.entries(invocation).filter(([key]) => !INVOCATION_KEYS.has(key)));
  const parameters = bindParameters(definition.parameters, args, where);
  const job = substitute(definition, { parameters, pipeline: context.pipeline }, where) as JobDefinition;

  let environment: Record<string, string> = {};
  let workingDirectory = job.working_directory;
  if (job.executor !== undefined) {
    const executor = compileExecutor(job.executor, scope, context);
    environment = executor.environment;
    workingDirectory ??= executor.workingDirectory;
  } else if (job.docker === undefined) {
    throw new ConfigError(`${where}: no executor (executor, docker, machine or macos)`);
  }
  environment = { ...environment, ...stringEnvironment(job.environment, where) };

  const preSteps = (invocation['pre-steps'] as StepDefinition[] | undefined) ?? [];
  const postSteps = (invocation['post-steps'] as StepDefinition[] | undefined) ?? [];
  const steps = [
    ...compileSteps(preSteps, context.root, context, `${where} pre-steps`),
    ...compileSteps(job.steps, scope, context, where),
    ...compileSteps(postSteps, context.root, context, `${where} post-steps`),
  ];
  const parallelism = job.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new ConfigError(`${where}: parallelism ${String(parallelism)} is not a positive integer`);
  }
  return {
    parallelism,
    // Without a name, a job is known by its reference, orb prefix included (`chainloop/attest`), as in CIRCLE_JOB.
    name: (invocation.name as string | undefined) ?? jobName,
    environment,
    workingDirectory: workingDirectory ?? '~/project',
    steps,
  };
}

function compileExecutor(
  reference: string | Record<string, unknown>,
  scope: Scope,
  context: CompileContext,
): { environment: Record<string, string>; workingDirectory?: string } {
  const { name: referenceName, ...args } = typeof reference === 'string' ? { name: reference } : reference;
  const { definition } = resolve<ExecutorDefinition>(scope, context.root, String(referenceName), 'executors');
  const where = `executor "${String(referenceName)}"`;
  const parameters = bindParameters(definition.parameters, args, where);
  const executor = substitute(definition, { parameters, pipeline: context.pipeline }, where) as ExecutorDefinition;
  return {
    environment: stringEnvironment(executor.environment, where),
    workingDirectory: executor.working_directory,
  };
}

/** Expands steps: commands (orb or config), when/unless blocks, steps parameters, and the built-in steps. */
export function compileSteps(
  steps: StepDefinition[],
  scope: Scope,
  context: CompileContext,
  where: string,
): CompiledStep[] {
  if (!Array.isArray(steps)) throw new ConfigError(`${where}: steps must be a list`);
  return steps.flatMap((step, index) => compileStep(step, scope, context, `${where} step ${index}`));
}

function compileStep(step: StepDefinition, scope: Scope, context: CompileContext, where: string): CompiledStep[] {
  const [key, body] = typeof step === 'string' ? [step, undefined] : singleEntry(step, where);
  switch (key) {
    case 'run':
      return [compileRun(body, where)];
    case 'checkout':
      return [{ kind: 'checkout', name: 'Checkout code', path: (body as { path?: string } | undefined)?.path }];
    case 'persist_to_workspace': {
      const { root, paths } = body as { root: string; paths: string[] };
      return [{ kind: 'persist_to_workspace', name: 'Persisting to Workspace', root, paths }];
    }
    case 'attach_workspace':
      return [{ kind: 'attach_workspace', name: 'Attaching Workspace', at: (body as { at: string }).at }];
    case 'store_artifacts':
    case 'store_test_results':
    case 'save_cache':
    case 'restore_cache':
    case 'add_ssh_keys':
    case 'setup_remote_docker':
      return [{ kind: 'not_emulated', name: key }];
    case 'steps':
      // Steps passed as a parameter were written by the caller: they resolve in the user config.
      return compileSteps(body as StepDefinition[], context.root, context, where);
    case 'when':
    case 'unless': {
      const { condition, steps } = body as { condition: unknown; steps: StepDefinition[] };
      const holds = evaluateCondition(condition, where);
      return holds === (key === 'when') ? compileSteps(steps, scope, context, where) : [];
    }
    default: {
      const { scope: commandScope, definition } = resolve<CommandDefinition>(scope, context.root, key, 'commands');
      const commandWhere = `${where} (${key})`;
      const parameters = bindParameters(
        definition.parameters,
        (body as Record<string, unknown> | undefined) ?? {},
        commandWhere,
      );
      const expanded = substitute(
        definition.steps,
        { parameters, pipeline: context.pipeline },
        commandWhere,
      ) as StepDefinition[];
      return compileSteps(expanded, commandScope, context, commandWhere);
    }
  }
}

function compileRun(body: unknown, where: string): CompiledStep {
  const run = typeof body === 'string' ? { command: body } : (body as Record<string, unknown>);
  const command = run.command;
  if (typeof command !== 'string') throw new ConfigError(`${where}: run needs a command`);
  const leftover = leftoverReference(command);
  if (leftover) throw new ConfigError(`${where}: ${leftover} left in the command: CircleCI cannot compile it`);
  const when = (run.when as When | undefined) ?? 'on_success';
  if (!WHEN_VALUES.includes(when))
    throw new ConfigError(`${where}: when "${String(when)}" is not ${WHEN_VALUES.join('|')}`);
  return {
    kind: 'run',
    name: (run.name as string | undefined) ?? command.split('\n')[0],
    command,
    environment: stringEnvironment(run.environment as Record<string, unknown> | undefined, where),
    when,
    workingDirectory: run.working_directory as string | undefined,
  };
}

/**
 * Environment values as the job sees them. A boolean parameter placed whole in `environment:` arrives as 1 or 0
 * (what CircleCI's own orbs test for, e.g. `[ "$X" -eq 1 ]`); strings and numbers as written.
 */
function stringEnvironment(environment: Record<string, unknown> | undefined, where: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment ?? {})) {
    if (typeof value === 'boolean') result[name] = value ? '1' : '0';
    else if (typeof value === 'string' || typeof value === 'number') result[name] = String(value);
    else if (value === null) result[name] = '';
    else throw new ConfigError(`${where}: environment ${name} is not a scalar`);
  }
  return result;
}

function singleEntry(step: Record<string, unknown>, where: string): [string, unknown] {
  const entries = Object.entries(step);
  if (entries.length !== 1) throw new ConfigError(`${where}: a step is a map with exactly one key`);
  return entries[0];
}

/** `alias/name` looks in the config's orbs; a bare name in the current scope first, then the config. */
function resolve<T>(
  scope: Scope,
  root: Scope,
  reference: string,
  kind: 'commands' | 'jobs' | 'executors',
): { scope: Scope; name: string; definition: T } {
  const slash = reference.indexOf('/');
  if (slash > 0) {
    const alias = reference.slice(0, slash);
    const name = reference.slice(slash + 1);
    const orb = root.orbs[alias] ?? scope.orbs[alias];
    if (!orb) throw new ConfigError(`${reference}: no orb imported as "${alias}"`);
    const definition = orb.definitions[kind]?.[name] as T | undefined;
    if (!definition) throw new ConfigError(`${reference}: orb ${orb.label} has no ${kind.slice(0, -1)} "${name}"`);
    return { scope: orb, name, definition };
  }
  for (const candidate of [scope, root]) {
    const definition = candidate.definitions[kind]?.[reference] as T | undefined;
    if (definition) return { scope: candidate, name: reference, definition };
  }
  throw new ConfigError(`${reference}: unknown ${kind.slice(0, -1)} in ${scope.label}`);
}
