import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { circleCiEnvironment, type Pipeline } from './circleci-env';
import type { CompiledJob, CompiledStep } from './compile';

const circleCiShimDir = join(import.meta.dirname, 'bin');

export interface JobMachine {
  /** A fresh folder standing for the job's container: its HOME and TMPDIR live there, nothing else is shared. */
  dir: string;
  /** Where persisted workspace layers are kept for the rest of the workflow (shared by its jobs). */
  workspace: string;
  /** PATH inside the container (node, git, bash…). */
  path: string;
}

export interface JobRunOptions {
  pipeline: Pipeline;
  machine: JobMachine;
  /** Project and context variables the job receives (the secrets among them). */
  variables: Record<string, string>;
  buildNumber: number;
  workflowId: string;
  /** Seconds a step may run before it is failed (CircleCI's no_output_timeout stands in here). */
  stepTimeoutSeconds?: number;
  /** This container's CIRCLE_NODE_INDEX among the job's parallel containers. */
  nodeIndex?: number;
  /** Cancel the job just before the step of this name: CircleCI then runs no further step, on_fail and always included. */
  cancelBeforeStep?: string;
}

export type StepStatus = 'success' | 'failed' | 'skipped';

export interface StepResult {
  name: string;
  kind: CompiledStep['kind'];
  status: StepStatus;
  exitCode?: number | null;
  command?: string;
  environment?: Record<string, string>;
  stdout: string;
  stderr: string;
}

export interface JobResult {
  name: string;
  status: 'success' | 'failed' | 'cancelled';
  steps: StepResult[];
}

/**
 * Runs a compiled job the way a CircleCI docker executor does: each run step in its own `bash -eo pipefail` with the
 * job's environment and $BASH_ENV sourced; once a step fails the job is failed, later steps run only when their
 * `when` is on_fail or always (built-in steps only while the job is green).
 */
export async function runJob(job: CompiledJob, options: JobRunOptions): Promise<JobResult> {
  const home = join(options.machine.dir, 'home');
  const tmp = join(options.machine.dir, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const bashEnv = join(tmp, '.bash_env');
  writeFileSync(bashEnv, '');
  const workingDirectory = expandPath(job.workingDirectory, home, home);
  mkdirSync(workingDirectory, { recursive: true });

  const baseEnvironment: Record<string, string> = {
    ...circleCiEnvironment(options.pipeline, {
      name: job.name,
      buildNumber: options.buildNumber,
      workflowId: options.workflowId,
      jobId: `${options.workflowId}-${options.buildNumber}`,
      workingDirectory: job.workingDirectory,
      nodeIndex: options.nodeIndex ?? 0,
      nodeTotal: job.parallelism,
    }),
    ...options.variables,
    ...job.environment,
    // CircleCI puts its own CLI in every job; the harness's stand-in answers `circleci env subst`.
    PATH: `${circleCiShimDir}:${options.machine.path}`,
    HOME: home,
    TMPDIR: tmp,
    BASH_ENV: bashEnv,
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
  };

  let failed = false;
  let cancelled = false;
  const results: StepResult[] = [];
  for (const step of job.steps) {
    if (step.name === options.cancelBeforeStep) cancelled = true;
    if (cancelled) {
      results.push({ name: step.name, kind: step.kind, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    const runs = step.kind === 'run' ? shouldRun(step.when, failed) : !failed;
    if (!runs) {
      results.push({ name: step.name, kind: step.kind, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    const result = await runStep(step, { ...options, home, workingDirectory, baseEnvironment });
    results.push(result);
    if (result.status === 'failed') failed = true;
  }
  const status = cancelled ? 'cancelled' : failed ? 'failed' : 'success';
  return { name: job.name, status, steps: results };
}

function shouldRun(when: 'on_success' | 'on_fail' | 'always', failed: boolean): boolean {
  if (when === 'always') return true;
  return when === 'on_fail' ? failed : !failed;
}

async function runStep(
  step: CompiledStep,
  context: JobRunOptions & { home: string; workingDirectory: string; baseEnvironment: Record<string, string> },
): Promise<StepResult> {
  const base = { name: step.name, kind: step.kind, stdout: '', stderr: '' };
  try {
    switch (step.kind) {
      case 'run': {
        const cwd = step.workingDirectory
          ? expandPath(step.workingDirectory, context.home, context.workingDirectory)
          : context.workingDirectory;
        mkdirSync(cwd, { recursive: true });
        const environment = { ...context.baseEnvironment, ...step.environment };
        const { exitCode, stdout, stderr } = await runBash(step.command, environment, cwd, context.stepTimeoutSeconds);
        return {
          ...base,
          status: exitCode === 0 ? 'success' : 'failed',
          exitCode,
          command: step.command,
          environment: step.environment,
          stdout,
          stderr,
        };
      }
      case 'checkout': {
        const target = step.path
          ? expandPath(step.path, context.home, context.workingDirectory)
          : context.workingDirectory;
        if (existsSync(target) && readdirSync(target).length > 0) {
          throw new Error(`Directory (${target}) you are trying to checkout to is not empty and not a git repository`);
        }
        const repo = context.pipeline.repositoryPath;
        const clone = await runBash(
          // As CircleCI's checkout: origin is the project's repository URL, HEAD the pipeline's commit.
          'git clone --quiet "$REPO" . && git remote set-url origin "$CIRCLE_REPOSITORY_URL" && git checkout --quiet "$CIRCLE_SHA1"',
          { ...context.baseEnvironment, REPO: repo },
          target,
        );
        return { ...base, status: clone.exitCode === 0 ? 'success' : 'failed', ...clone };
      }
      case 'persist_to_workspace': {
        const root = expandPath(step.root, context.home, context.workingDirectory);
        for (const path of step.paths) {
          if (/[*?[]/.test(path))
            throw new Error(`persist_to_workspace: glob "${path}" is not supported by the harness`);
          const source = join(root, path);
          if (!existsSync(source)) throw new Error(`The specified paths did not match any files in ${root}: ${path}`);
          const target = join(context.machine.workspace, path);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(source, target, { recursive: true });
        }
        return { ...base, status: 'success', stdout: `persisted ${step.paths.join(', ')} from ${root}` };
      }
      case 'not_emulated':
        return { ...base, status: 'success', stdout: `${step.name}: not emulated by the harness` };
      case 'attach_workspace': {
        const at = expandPath(step.at, context.home, context.workingDirectory);
        mkdirSync(at, { recursive: true });
        if (existsSync(context.machine.workspace)) cpSync(context.machine.workspace, at, { recursive: true });
        return { ...base, status: 'success', stdout: `attached workspace at ${at}` };
      }
    }
  } catch (error) {
    return { ...base, status: 'failed', stderr: (error as Error).message };
  }
}

function runBash(
  command: string,
  environment: Record<string, string>,
  cwd: string,
  timeoutSeconds = 120,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-eo', 'pipefail', '-c', command], {
      cwd,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\nharness: step timed out after ${timeoutSeconds} s`;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** `~` is the job's HOME; relative paths are relative to the job's working directory, as CircleCI resolves them. */
function expandPath(path: string, home: string, relativeTo: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : join(relativeTo, path);
}
