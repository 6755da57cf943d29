import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { circleCiEnvironment, type Pipeline, pipelineValues } from './circleci-env';
import { type CompiledJob, compileJob } from './compile';
import type { ConfigDefinition, OrbDefinition, Scope } from './config-model';
import { ConfigError } from './parameters';
import { type JobResult, runJob } from './run-job';

export interface WorkflowRunOptions {
  /** Orbs the config may import, by registry name without version (`chainloop-ts/chainloop`). */
  orbs: Record<string, OrbDefinition>;
  pipeline: Pipeline;
  /** Contexts by name: the variables a job invoked with `context: NAME` receives. */
  contexts?: Record<string, Record<string, string>>;
  /** Project environment variables every job receives. */
  projectVariables?: Record<string, string>;
  /** Folder for the jobs' containers and the workspace. */
  dir: string;
  /** PATH inside the containers. */
  path: string;
  workflow?: string;
  /** Cancel a job (by name) just before one of its steps, as a user pressing "Cancel" would. */
  cancel?: { job: string; beforeStep: string };
  /** CIRCLE_BUILD_NUM of the first job (later jobs count up), so runs of several pipelines differ. */
  firstBuildNumber?: number;
}

export interface WorkflowResult {
  /**
   * Each job's result (one per container when it runs in parallel), its compiled form and the folder that stood for
   * its container (HOME is `<dir>/home`).
   */
  jobs: (JobResult & { compiled: CompiledJob; dir: string; buildUrl: string; nodeIndex: number })[];
  /** Jobs not run because a job they require did not succeed. */
  blocked: string[];
}

/** The user config's scope, with each imported orb resolved to its packed definition. */
export function configScope(config: ConfigDefinition, orbs: Record<string, OrbDefinition>): Scope {
  const imported: Record<string, Scope> = {};
  for (const [alias, reference] of Object.entries(config.orbs ?? {})) {
    if (typeof reference !== 'string') throw new ConfigError(`orbs.${alias}: inline orbs are not supported`);
    const name = reference.replace(/@[^@]*$/, '');
    const orb = orbs[name];
    if (!orb) throw new ConfigError(`orbs.${alias}: ${reference} is not one of the orbs given to the harness`);
    const { examples: _examples, ...definitions } = orb;
    imported[alias] = { label: reference, definitions, orbs: {} };
  }
  const { orbs: _orbs, workflows: _workflows, ...definitions } = config;
  return { label: 'config.yml', definitions, orbs: imported };
}

/**
 * Runs a workflow's jobs one after the other in an order that respects `requires`, each in its own container
 * folder (own HOME, TMPDIR, working directory, $BASH_ENV): only the workspace and the outside world are shared.
 */
export async function runWorkflow(config: ConfigDefinition, options: WorkflowRunOptions): Promise<WorkflowResult> {
  const workflows = Object.entries(config.workflows ?? {});
  const entry = options.workflow ? workflows.find(([name]) => name === options.workflow) : workflows[0];
  if (!entry) throw new ConfigError(`workflow ${options.workflow ?? '(first)'} not found in the config`);
  const root = configScope(config, options.orbs);
  const context = { root, pipeline: pipelineValues(options.pipeline) };
  const workflowId = randomUUID();
  const workspace = join(options.dir, 'workspace');
  mkdirSync(workspace, { recursive: true });

  const invocations = entry[1].jobs.map((item) => {
    const [jobName, args] = typeof item === 'string' ? [item, {}] : Object.entries(item)[0];
    const invocation = (args ?? {}) as Record<string, unknown>;
    return { jobName, invocation, name: (invocation.name as string | undefined) ?? jobName };
  });
  const outcome = new Map<string, 'success' | 'failed' | 'cancelled' | 'blocked'>();
  const result: WorkflowResult = { jobs: [], blocked: [] };
  let buildNumber = (options.firstBuildNumber ?? 101) - 1;
  for (const { name, invocation } of invocations) {
    const requires = (invocation.requires as string[] | undefined) ?? [];
    const missing = requires.filter((required) => !invocations.some((other) => other.name === required));
    if (missing.length > 0) throw new ConfigError(`job "${name}" requires unknown job(s): ${missing.join(', ')}`);
  }
  const pending = [...invocations];
  while (pending.length > 0) {
    // The first job whose required jobs have all ended (CircleCI would start every such job at once).
    const index = pending.findIndex(({ invocation }) =>
      ((invocation.requires as string[] | undefined) ?? []).every((required) => outcome.has(required)),
    );
    if (index < 0) throw new ConfigError(`jobs ${pending.map((job) => job.name).join(', ')} require each other`);
    const [{ jobName, invocation, name }] = pending.splice(index, 1);
    const requires = (invocation.requires as string[] | undefined) ?? [];
    if (requires.some((required) => outcome.get(required) !== 'success')) {
      outcome.set(name, 'blocked');
      result.blocked.push(name);
      continue;
    }
    const compiled = compileJob(jobName, invocation, context);
    const contexts = [invocation.context ?? []].flat() as string[];
    const variables: Record<string, string> = { ...options.projectVariables };
    for (const contextName of contexts) {
      const values = options.contexts?.[contextName];
      if (!values) throw new ConfigError(`job "${name}": context "${contextName}" not given to the harness`);
      Object.assign(variables, values);
    }
    buildNumber += 1;
    const jobDir = join(options.dir, `job-${buildNumber}-${name.replace(/[^\w.-]/g, '_')}`);
    const buildUrl = circleCiEnvironment(options.pipeline, {
      name,
      buildNumber,
      workflowId,
      jobId: '',
      workingDirectory: compiled.workingDirectory,
    }).CIRCLE_BUILD_URL;
    // Parallel containers of one job run at the same time, as on CircleCI; each has its own folder.
    const nodes = Array.from({ length: compiled.parallelism }, (_, nodeIndex) => nodeIndex);
    const nodeResults = await Promise.all(
      nodes.map(async (nodeIndex) => {
        const dir = compiled.parallelism > 1 ? join(jobDir, `node-${nodeIndex}`) : jobDir;
        const jobResult = await runJob(compiled, {
          pipeline: options.pipeline,
          machine: { dir, workspace, path: options.path },
          variables,
          buildNumber,
          workflowId,
          nodeIndex,
          cancelBeforeStep: options.cancel?.job === name ? options.cancel.beforeStep : undefined,
        });
        return { ...jobResult, compiled, dir, buildUrl, nodeIndex };
      }),
    );
    const statuses = nodeResults.map((node) => node.status);
    outcome.set(
      name,
      statuses.includes('cancelled') ? 'cancelled' : statuses.includes('failed') ? 'failed' : 'success',
    );
    result.jobs.push(...nodeResults);
  }
  return result;
}
