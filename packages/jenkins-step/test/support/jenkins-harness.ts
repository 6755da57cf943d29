import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const packageDir = join(import.meta.dirname, '..', '..');
export const pipelinesDir = join(packageDir, 'test', 'fixtures', 'pipelines');

/** A credential in the fake Jenkins credential store: Secret text, or Secret file (written only while bound). */
export interface Credential {
  type: 'string' | 'file';
  value: string;
  fileName?: string;
}

export interface Scenario {
  /** A Jenkinsfile under test/fixtures/pipelines, or an absolute path. */
  jenkinsfile: string;
  workspace: string;
  env: Record<string, string>;
  credentials?: Record<string, Credential>;
  isUnix?: boolean;
  /** The library to load (default: this package). */
  libraryDir?: string;
  /** Answer "Abort" to the first `input` step, as a user aborting the build would. */
  abortAtInput?: boolean;
  /** The library runs in the script security sandbox: `currentBuild.rawBuild` is refused. */
  sandboxed?: boolean;
}

export interface RecordedStep {
  step: string;
  script?: string;
  cwd?: string;
  names?: string[];
  bindings?: Array<{ type: string; credentialsId: string; variable: string }>;
  message?: string;
  resource?: string;
  file?: string;
}

export interface PipelineReport {
  outcome: 'returned' | 'threw';
  exception?: string;
  message?: string;
  /** currentBuild.currentResult at the end. */
  result: string;
  steps: RecordedStep[];
  console: string;
  attestationId: string | null;
}

/** A JDK for Debian's groovy (its launcher needs JAVA_HOME; the default-java link is absent here). */
export function javaHome(): string {
  const candidates = [process.env.JAVA_HOME, '/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/default-java'];
  if (existsSync('/usr/lib/jvm')) candidates.push(...readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d)));
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'bin', 'java')));
  if (!found) throw new Error('no JDK found for groovy: install default-jre-headless or set JAVA_HOME');
  return found;
}

/** The variables a Jenkins agent gives a build of job `job` #number (Jenkins' documented build environment variables). */
export function jenkinsEnv(
  workspace: string,
  options: { job: string; number?: number; extra?: Record<string, string> },
): Record<string, string> {
  const number = String(options.number ?? 7);
  const jenkinsUrl = 'https://jenkins.example.com/';
  const jobUrl = `${jenkinsUrl}job/${options.job}/`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    JENKINS_HOME: '/var/jenkins_home',
    JENKINS_URL: jenkinsUrl,
    JOB_NAME: options.job,
    JOB_BASE_NAME: options.job,
    JOB_URL: jobUrl,
    BUILD_NUMBER: number,
    BUILD_ID: number,
    BUILD_URL: `${jobUrl}${number}/`,
    BUILD_TAG: `jenkins-${options.job}-${number}`,
    NODE_NAME: 'linux-agent-1',
    NODE_LABELS: 'linux linux-agent-1',
    EXECUTOR_NUMBER: '0',
    WORKSPACE: workspace,
    ...options.extra,
  };
  return env;
}

/** Runs the Jenkinsfiles in one JVM (groovy starts in ~2 s) and returns one report per scenario, in order. */
export async function runJenkinsfiles(scenarios: Scenario[]): Promise<PipelineReport[]> {
  const dir = await mkdtemp(join(tmpdir(), 'jenkins-harness-'));
  try {
    const files: string[] = [];
    for (const [index, scenario] of scenarios.entries()) {
      const file = join(dir, `scenario-${index}.json`);
      const spec = {
        libraryDir: scenario.libraryDir ?? packageDir,
        jenkinsfile: isAbsolute(scenario.jenkinsfile) ? scenario.jenkinsfile : join(pipelinesDir, scenario.jenkinsfile),
        workspace: scenario.workspace,
        env: scenario.env,
        credentials: scenario.credentials ?? {},
        isUnix: scenario.isUnix ?? true,
        abortAtInput: scenario.abortAtInput ?? false,
        sandboxed: scenario.sandboxed ?? false,
        report: join(dir, `report-${index}.json`),
      };
      await writeFile(file, JSON.stringify(spec), { mode: 0o600 });
      files.push(file);
    }
    const { status, output } = await run(
      'groovy',
      [
        '-cp',
        join(packageDir, 'test', 'harness', 'classpath'),
        join(packageDir, 'test', 'harness', 'JenkinsHarness.groovy'),
        ...files,
      ],
      { JAVA_HOME: javaHome(), PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    );
    if (status !== 0) throw new Error(`the Groovy harness exited with ${status}:\n${output}`);
    return Promise.all(
      scenarios.map(
        async (_, index) => JSON.parse(await readFile(join(dir, `report-${index}.json`), 'utf8')) as PipelineReport,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a command with no stdin and its output collected. It is killed after `timeoutMs`: a test's own timeout fails
 * the test, but a child left running would keep the test process alive.
 */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
  timeoutMs = 300_000,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const stuck = setTimeout(() => {
      output += `\n[test runner: ${command} killed after ${timeoutMs / 1000} s]\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(stuck);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(stuck);
      resolve({ status, output });
    });
  });
}

/** The `sh` scripts a run recorded. */
export function shScripts(report: PipelineReport): string[] {
  return report.steps.filter((s) => s.step === 'sh').map((s) => s.script ?? '');
}
