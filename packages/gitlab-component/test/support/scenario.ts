import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import type { WorkflowRun } from '@chainloop-ts/core/client';
import { parse } from 'yaml';
import {
  createWorkflowWithRobot,
  startControlPlane,
  type TestControlPlane,
} from '../../../../e2e/support/control-plane';
import { cliBundle, vectors } from '../../../../e2e/support/paths';
import { type ComponentProject, componentRoot, createComponentProject } from './component-project';
import { type GitlabCiLocalRun, RUNNER_VARIABLES, runGitlabCiLocal } from './gitlab-ci-local';

export { cliBundle };

/** SHA-256 of the CLI build, which the test control plane serves at /v1/downloads/chainloop.cjs. */
export const cliDigest = createHash('sha256').update(readFileSync(cliBundle)).digest('hex');

/** Where the jobs keep the CLI they download (cli-source control-plane), in the job's workspace. */
export const DOWNLOADED_CLI = '.chainloop/cli/chainloop.cjs';

/** The line a job prints once it has the CLI from a control plane at `url`, checked against `digest`. */
export function cliFetchedLine(url: string, digest = cliDigest): string {
  return `INF chainloop CLI sha256 ${digest} from ${url}/v1/downloads/chainloop.cjs`;
}

/** The control plane's request log lines (since the previous take) for its CLI or the CLI's sha256. */
export function cliDownloads(cp: TestControlPlane): string[] {
  return cp.takeLog().filter((line) => / \/v1\/downloads\/chainloop\.cjs(\.sha256)? /.test(line));
}

/**
 * The ERR lines jobs printed about getting the CLI, in gitlab-ci-local's output (`<job> > ERR …`; its closing summary
 * repeats a failed job's lines without the job name, and is not counted).
 */
export function cliErrors(output: string): string[] {
  return output.split('\n').filter((line) => /^\S+\s+> ERR (chainloop CLI from |cli-path |cli-source )/.test(line));
}

/** No Node stack trace in what the user reads: a failure to get the CLI is one line. */
export function assertNoStackTrace(output: string): void {
  assert.doesNotMatch(output, /^\S*\s*>?\s*at \S+ \(|node:internal|triggerUncaughtException|TypeError: fetch failed/m);
}

export const contract = readFileSync(join(componentRoot, 'test', 'fixtures', 'contract.yaml'), 'utf8');
export const junitReport = readFileSync(join(vectors, 'materials', 'junit.xml'), 'utf8');
const signingKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.key'), 'utf8');
const publicKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.pub'), 'utf8');
const signingPassword = 'correct horse battery staple';

/** A workflow with its robot token, and the secrets a GitLab project would keep as masked CI/CD variables. */
export interface Workflow {
  workflowId: string;
  secrets: Record<string, string>;
}

let counter = 0;
/** A workflow attesting against `workflowContract` (default: the test contract, fixtures/contract.yaml). */
export async function createWorkflow(cp: TestControlPlane, workflowContract = contract): Promise<Workflow> {
  counter += 1;
  const { workflowId, robotToken } = await createWorkflowWithRobot(cp, {
    name: `gitlab-pipeline-${counter}`,
    team: 'platform',
    project: 'chainloop-components',
    contract: workflowContract,
  });
  return {
    workflowId,
    secrets: {
      CHAINLOOP_TOKEN: robotToken,
      CHAINLOOP_SIGNING_KEY: signingKeyPem,
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    },
  };
}

/** What the tests of one file share: a control plane, and the component projects they created. */
export interface PipelineScenario {
  /** The control plane the pipelines talk to, started before the file's tests. */
  readonly cp: TestControlPlane;
  /** A component project with these files besides the component (see createComponentProject), removed after. */
  project(files: Record<string, string>): ComponentProject;
}

/**
 * Registers the file's before/after hooks (call it at the top level of a test file): a real control plane started
 * before the tests (the CLI build must exist), stopped after them, and every project made with project() removed.
 */
export function pipelineScenario(): PipelineScenario {
  let cp: TestControlPlane | undefined;
  const projects: ComponentProject[] = [];
  before(async () => {
    assert.ok(existsSync(cliBundle), `${cliBundle} missing: run npm run build first`);
    cp = await startControlPlane();
  });
  after(async () => {
    await cp?.stop();
    for (const project of projects) project.remove();
  });
  return {
    get cp(): TestControlPlane {
      assert.ok(cp, 'the control plane is started by the before() hook pipelineScenario() registers');
      return cp;
    },
    project(files) {
      const created = createComponentProject(files);
      projects.push(created);
      return created;
    },
  };
}

/**
 * Runs a project's pipeline under gitlab-ci-local as a GitLab runner would (RUNNER_VARIABLES, plus `variables`), the
 * workflow's secrets as masked CI/CD variables, and asserts that no secret shows in the output or on the command line.
 */
export async function runPipeline(
  workflow: Workflow,
  dir: string,
  options: { variables?: Record<string, string>; args?: string[]; path?: string[] } = {},
): Promise<GitlabCiLocalRun> {
  const run = await runGitlabCiLocal({
    cwd: dir,
    variables: { ...RUNNER_VARIABLES, ...options.variables },
    secrets: workflow.secrets,
    args: options.args,
    path: options.path,
  });
  assertNoSecrets(workflow, run.output);
  assertNoSecrets(workflow, run.argv.join(' '));
  return run;
}

/**
 * A job's after_script, to run as GitLab runs it once the job ended with a status (gitlab-ci-local cannot cancel a
 * job): the script as GitLab hands it to the runner (from `gitlab-ci-local --preview`), in the project's directory,
 * with the workflow's secrets and the job's variables expanded from them, CI_JOB_NAME and CI_JOB_STATUS set.
 */
export async function jobAfterScript(
  workflow: Workflow,
  dir: string,
  jobName: string,
): Promise<(jobStatus: 'success' | 'failed' | 'canceled') => Promise<{ status: number | null; output: string }>> {
  const preview = await runGitlabCiLocal({ cwd: dir, args: ['--preview'] });
  assert.equal(preview.status, 0, preview.output);
  const job = jobFromPreview(preview.output, jobName);
  return (jobStatus) =>
    runScript(job.afterScript, {
      cwd: dir,
      env: {
        ...workflow.secrets,
        ...expandJobVariables(job.variables, workflow.secrets),
        CI_JOB_STATUS: jobStatus,
        CI_JOB_NAME: jobName,
      },
    });
}

/** The only run of a workflow (each test makes its own workflow). */
export async function onlyRun(cp: TestControlPlane, workflow: Workflow): Promise<WorkflowRun> {
  const runs = await cp.admin().listRuns({ workflow: workflow.workflowId });
  assert.equal(runs.length, 1, `expected one run, got ${JSON.stringify(runs)}`);
  return runs[0];
}

/** Verifies the stored attestation of a run with the test key and returns its in-toto statement. */
export async function verifiedStatement(cp: TestControlPlane, runId: string) {
  const { bundle } = await cp.admin().getAttestation(runId);
  const { statement } = await verifyAttestation(bundle, { publicKeyPem });
  return statement as unknown as {
    subject: Array<{ name: string; digest: Record<string, string> }>;
    predicate: {
      runnerType: string;
      runnerURL?: string;
      env?: Record<string, string>;
      materials: Array<{ annotations: Record<string, string> }>;
    };
  };
}

/** Each material of a statement by name, with its kind (the chainloop.material.type annotation). */
export function materialKinds(statement: {
  predicate: { materials: Array<{ annotations: Record<string, string> }> };
}): Record<string, string> {
  return Object.fromEntries(
    statement.predicate.materials.map((m) => [
      m.annotations['chainloop.material.name'],
      m.annotations['chainloop.material.type'],
    ]),
  );
}

/** The material init adds in any CI (issue 21): the runner facts, under this name and kind. */
export const RUNNER_CONTEXT = { 'runner-context': 'CHAINLOOP_RUNNER_CONTEXT' };

/** The materials of a run that fills the test contract (fixtures/contract.yaml), with their kinds. */
export const CONTRACT_MATERIALS = {
  binary: 'ARTIFACT',
  'build-ref': 'STRING',
  'unit-tests': 'JUNIT_XML',
  ...RUNNER_CONTEXT,
};

/** Asserts no secret (token, key, password) appears in a text a user could read (logs, command lines). */
export function assertNoSecrets(workflow: Workflow, text: string): void {
  // A variable set to '' (blanked on purpose) holds no secret; the rest must give something to search for.
  const secrets = Object.entries(workflow.secrets).filter(([, value]) => value !== '');
  assert.ok(secrets.length > 0, 'the scenario has secrets to look for');
  for (const [name, value] of secrets) {
    // Every line of a PEM key but its armor, so a partial leak is caught too.
    const pieces = value
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= 8 && !line.startsWith('-----'));
    assert.ok(pieces.length > 0, `${name} has a piece long enough to search for`);
    for (const piece of pieces) assert.ok(!text.includes(piece), `${name} leaked into the output`);
  }
}

/**
 * A job's scripts as GitLab gives them to the runner (inputs interpolated, extends merged, anchors resolved), read
 * from `gitlab-ci-local --preview`, with the job's own variables.
 */
export function jobFromPreview(
  preview: string,
  job: string,
): { beforeScript: string[]; script: string[]; afterScript: string[]; variables: Record<string, string> } {
  const start = preview.indexOf('\n---\n');
  assert.ok(start >= 0, `no YAML in the preview:\n${preview}`);
  const config = parse(preview.slice(start + 1)) as Record<
    string,
    { before_script?: string[]; script?: string[]; after_script?: string[]; variables?: Record<string, string> }
  >;
  const definition = config[job];
  assert.ok(definition, `job ${job} not in the preview`);
  return {
    beforeScript: definition.before_script ?? [],
    script: definition.script ?? [],
    afterScript: definition.after_script ?? [],
    variables: definition.variables ?? {},
  };
}

/**
 * A job's variables as the runner hands them to the shell: `$NAME` and `${NAME}` references expanded from the project's
 * CI/CD variables (GitLab's own expansion, a few lines, so hand-written).
 */
export function expandJobVariables(
  variables: Record<string, string>,
  project: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [
      key,
      String(value).replace(/\$\{?(\w+)\}?/g, (_, name: string) => project[name] ?? ''),
    ]),
  );
}

/** Runs script lines the way a GitLab shell runner does: one sh session, stop at the first failing line. */
export function runScript(
  lines: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e'], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}
