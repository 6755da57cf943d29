/**
 * The action (main.js, post.js, built from the current src/: see support/github-runner.ts) run as the GitHub runner
 * runs it, under Node 24, against a real control plane process: the job's outcome decides what happens to the
 * attestation, and no secret reaches the log or any file on the runner.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import { vectors } from '../../../e2e/support/paths';
import { freshActionBuild, node24, SimulatedJob, type StepResult } from './support/github-runner';
import { readmeReleaseJob } from './support/readme-workflow';

// Trimmed, as the runner's input handling (and a secret pasted into GitHub) gives it.
const signingKey = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.key'), 'utf8').trim();
const publicKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.pub'), 'utf8');
const signingKeyPassword = 'correct horse battery staple';
const contract = readFileSync(join(import.meta.dirname, 'fixtures', 'release-contract.yaml'), 'utf8');

let cp: TestControlPlane;
let robotToken: string;
let node: string;
let runNumber = 0;
const jobs: SimulatedJob[] = [];
/** Each test runs a few steps of a few seconds; a stuck one fails its test instead of holding the run. */
const timeout = 240_000;

before(
  async () => {
    node = node24();
    // Built here, once, rather than inside the first test's time.
    freshActionBuild();
    cp = await startControlPlane();
    ({ robotToken } = await createWorkflowWithRobot(cp, {
      name: 'release',
      team: 'cyberdyne core',
      project: 'skynet',
      contract,
    }));
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await cp?.stop();
    for (const job of jobs) job.remove();
  },
  { timeout: 60_000 },
);

/**
 * A job of `chainloop-dev/bedrock`'s release workflow on a GitHub-hosted runner, as the runner describes it (a tag push,
 * unless `runnerEnv` describes another event); `jobEnv` is the job's `env:`.
 */
function newJob(
  jobEnv: Record<string, string> = {},
  runnerEnv: Record<string, string> = {},
): { job: SimulatedJob; runId: string } {
  const runId = String(3410079758 + ++runNumber);
  const job = new SimulatedJob(node, {
    ...jobEnv,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'chainloop-dev/bedrock',
    GITHUB_REPOSITORY_OWNER: 'chainloop-dev',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
    GITHUB_REF: 'refs/tags/v0.8.9',
    GITHUB_REF_NAME: 'v0.8.9',
    GITHUB_ACTOR: 'migmartri',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW: 'Release',
    GITHUB_JOB: 'release',
    RUNNER_NAME: 'GitHub Actions 2',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    ...runnerEnv,
  });
  jobs.push(job);
  writeFileSync(join(job.workspace, 'app'), 'the release binary\n');
  return { job, runId };
}

/**
 * The README's release job (its job `env:` and the action's `with:`) exactly as written, with the test's secrets and
 * its control plane in place of the example URL. The workflow's contract was uploaded after it was created, so it
 * is revision 2 (revision 1 is the empty contract every workflow starts with): a `with:` pinning revision 1 fails.
 */
function readmeJob(): { env: Record<string, string>; inputs: Record<string, string> } {
  const { env, actionInputs } = readmeReleaseJob({
    'secrets.CHAINLOOP_WF_RELEASE': robotToken,
    'secrets.COSIGN_KEY': signingKey,
    'secrets.COSIGN_PASSWORD': signingKeyPassword,
    'github.sha': 'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
  });
  assert.equal(actionInputs['control-plane'], 'https://chainloop.example.com', "the README's example URL");
  return { env, inputs: { ...actionInputs, 'control-plane': cp.url } };
}

/** The same with the token given as an input. */
function actionInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'control-plane': cp.url,
    token: robotToken,
    'signing-key': signingKey,
    'signing-key-password': signingKeyPassword,
    ...extra,
  };
}

function assertSucceeded(step: StepResult, what: string): void {
  assert.equal(step.status, 0, `${what} failed:\n${step.log}`);
  assert.doesNotMatch(step.log, /^::error::/m, `${what} reported an error:\n${step.log}`);
}

function errorLines(step: StepResult): string[] {
  return step.log.split('\n').filter((line) => line.startsWith('::error::'));
}

function warningLines(step: StepResult): string[] {
  return step.log.split('\n').filter((line) => line.startsWith('::warning::'));
}

interface PredicateMaterial {
  name?: string;
  digest: { sha256: string };
  annotations: Record<string, unknown>;
}

/** The materials of the stored, verified attestation by their material name. */
async function pushedMaterials(
  attestationId: string,
): Promise<{ byName: Map<string, PredicateMaterial>; annotations: Record<string, string> }> {
  const stored = await cp.admin().getAttestation(attestationId);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem });
  const predicate = statement.predicate as { materials: PredicateMaterial[]; annotations?: Record<string, string> };
  const byName = new Map(predicate.materials.map((m) => [String(m.annotations['chainloop.material.name']), m]));
  return { byName, annotations: predicate.annotations ?? {} };
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Copies material vectors into the job's workspace, as a build step writing its reports would. */
function writeReports(job: SimulatedJob, files: Record<string, string>): void {
  for (const [path, vector] of Object.entries(files)) {
    mkdirSync(dirname(join(job.workspace, path)), { recursive: true });
    copyFileSync(join(vectors, 'materials', vector), join(job.workspace, path));
  }
}

/** The log as the runner shows it, less the `::add-mask::` commands themselves. */
function unmaskedLog(step: StepResult): string {
  return step.log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

const secretLines = signingKey.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----'));
// Without the key's body lines, the checks below would look for the whole key only.
assert.ok(secretLines.length > 0, 'the signing key has body lines');

/** The token, the password and the key (whole or any line of it) appear nowhere but in the `::add-mask::` commands. */
function assertNoSecretsShown(job: SimulatedJob, steps: StepResult[]): void {
  const secrets = [robotToken, signingKeyPassword, signingKey, ...secretLines];
  assert.ok(steps.length > 0, 'no step to check');
  for (const step of steps) {
    const log = unmaskedLog(step);
    for (const secret of secrets) assert.ok(!log.includes(secret), `a secret appears in the log:\n${step.log}`);
  }
  const files = job.runnerFiles();
  // The scan reached the runner's files: the step command files and the job's workspace.
  assert.ok(files.has('workspace/app'), `the scan missed the workspace: ${[...files.keys()].join(', ')}`);
  assert.ok(files.has('step-1/output'), `the scan missed the step files: ${[...files.keys()].join(', ')}`);
  for (const [path, text] of files) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret was written to ${path} on the runner`);
  }
}

function assertMasked(step: StepResult, options: { token: boolean } = { token: true }): void {
  const secrets = [signingKeyPassword, signingKey, ...secretLines, ...(options.token ? [robotToken] : [])];
  for (const secret of secrets) {
    assert.ok(step.masks.includes(secret), `not registered with ::add-mask:: (${step.masks.length} masks)`);
  }
}

test("the README's release job: a successful job pushes a signed attestation carrying the GitHub runner context", {
  timeout,
}, async () => {
  const readme = readmeJob();
  const { job, runId } = newJob(readme.env);
  const main = await job.runMain(readme.inputs);
  assertSucceeded(main, 'main');
  assertMasked(main, { token: false });
  const attestationId = main.outputs['attestation-id'];
  assert.match(attestationId, /\S/, 'main outputs the attestation id');
  assert.equal((await cp.admin().getRun(attestationId)).status, 'initialized');
  assert.equal(main.exported.CHAINLOOP_CONTROL_PLANE_API, cp.url);
  assert.match(main.log, /│ build-ref\s+│ STRING\s+│ Yes\s+│ Yes\s+│/, 'main prints the status table');

  // "Add Attestation Artifacts": a later `run:` step uses the `chainloop` the action put on PATH (run by Node 24).
  const add = await job.runScript(
    'chainloop attestation add --name binary --value app && cat "$(command -v chainloop)"',
  );
  assertSucceeded(add, 'the run: step');
  assert.ok(add.log.includes(`exec '${node}'`), `the chainloop on PATH runs the action's Node:\n${add.log}`);

  const post = await job.runPost(readme.inputs, 'success');
  assertSucceeded(post, 'post');
  const digest = post.outputs.digest;
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);

  const run = await cp.admin().getRun(attestationId);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.contractRevision, 2, 'attested against the uploaded contract');
  assert.equal(run.runnerType, 'GITHUB_ACTION');
  assert.equal(run.jobUrl, `https://github.com/chainloop-dev/bedrock/actions/runs/${runId}`);
  const stored = await cp.admin().getAttestation(attestationId);
  assert.equal(stored.digest, digest, 'the digest output is the stored attestation');

  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem });
  const predicate = statement.predicate as {
    runnerType: string;
    runnerURL: string;
    env: Record<string, string>;
    materials: Array<{ annotations?: Record<string, string> } & Record<string, unknown>>;
  };
  assert.equal(predicate.runnerType, 'GITHUB_ACTION');
  assert.equal(predicate.runnerURL, `https://github.com/chainloop-dev/bedrock/actions/runs/${runId}`);
  assert.equal(predicate.env.GITHUB_RUN_ID, runId);
  assert.equal(predicate.env.GITHUB_REPOSITORY, 'chainloop-dev/bedrock');
  assert.equal(predicate.env.GITHUB_SHA, 'a206e709cc21b1bf8e262604a23f9d0fc51a293a');
  assert.equal(predicate.env.RUNNER_NAME, 'GitHub Actions 2');
  assert.equal(predicate.env.GITHUB_REF, 'refs/tags/v0.8.9');
  const appDigest = createHash('sha256').update('the release binary\n').digest('hex');
  assert.ok(
    JSON.stringify(predicate.materials).includes(appDigest),
    'the binary added by the run: step is in the attestation',
  );
  const shaDigest = createHash('sha256').update('a206e709cc21b1bf8e262604a23f9d0fc51a293a').digest('hex');
  assert.ok(
    JSON.stringify(predicate.materials).includes(shaDigest),
    'the build-ref added by main is in the attestation',
  );

  // init collected the GitHub runner context on its own: a material no step of the job added.
  const { byName } = await pushedMaterials(attestationId);
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
  assert.ok(!byName.has('pr-metadata-1347'), 'a push event builds no pull request');

  assert.match(post.summary, /^### Chainloop attestation pushed$/m);
  assert.ok(post.summary.includes(`\`${digest}\``), `the summary shows the digest:\n${post.summary}`);
  assert.match(post.summary, /^\| runner-context \| CHAINLOOP_RUNNER_CONTEXT \| /m);
  assert.ok(post.summary.includes(`| binary | ARTIFACT | \`app@sha256:${appDigest}\` |`), post.summary);
  assert.match(post.summary, /\| Contract revision \| 2 \|/);
  assert.ok(post.summary.includes(`https://github.com/chainloop-dev/bedrock/actions/runs/${runId}`));
  assertNoSecretsShown(job, [main, add, post]);
});

test('a failed job (remote state) marks the run failed; the attestation id reaches later steps', {
  timeout,
}, async () => {
  const { job } = newJob();
  const main = await job.runMain(actionInputs({ 'remote-state': 'true', materials: 'binary=app' }));
  assertSucceeded(main, 'main');
  const attestationId = main.outputs['attestation-id'];
  assert.equal(main.exported.CHAINLOOP_ATTESTATION_ID, attestationId, 'exported to $GITHUB_ENV');
  assert.equal(main.state.attestation_id, attestationId, 'handed to post through $GITHUB_STATE');

  const post = await job.runPost(actionInputs({ 'remote-state': 'true' }), 'failure');
  assertSucceeded(post, 'post');
  const run = await cp.admin().getRun(attestationId);
  assert.equal(run.status, 'failed');
  assert.match(run.reason ?? '', /GitHub Actions: job "release" failure/);
  assert.equal(post.outputs.digest, undefined, 'no digest without a push');
  assert.equal(post.summary, '', 'no summary without a push');
  assertNoSecretsShown(job, [main, post]);
});

test('a cancelled job marks the run cancelled', { timeout }, async () => {
  const { job } = newJob();
  const main = await job.runMain(actionInputs());
  assertSucceeded(main, 'main');
  const post = await job.runPost(actionInputs(), 'cancelled');
  assertSucceeded(post, 'post');
  const run = await cp.admin().getRun(main.outputs['attestation-id']);
  assert.equal(run.status, 'cancelled');
  assertNoSecretsShown(job, [main, post]);
});

test('a successful job whose push fails (a required material missing) fails the step and ends the run failed', {
  timeout,
}, async () => {
  const { job } = newJob();
  const main = await job.runMain(actionInputs({ materials: 'binary=app' }));
  assertSucceeded(main, 'main');
  const post = await job.runPost(actionInputs(), 'success');
  assert.equal(post.status, 1, post.log);
  const errors = post.log.split('\n').filter((line) => line.startsWith('::error::'));
  assert.equal(errors.length, 1, post.log);
  assert.match(errors[0], /build-ref/, 'the error names the missing material');
  const run = await cp.admin().getRun(main.outputs['attestation-id']);
  assert.equal(run.status, 'failed', 'the run does not stay initialized');
  assert.match(run.reason ?? '', /push failed/);
  assertNoSecretsShown(job, [main, post]);
});

test("a job that still pushes in its own step (the seed's last steps kept): post has nothing left to do", {
  timeout,
}, async () => {
  const readme = readmeJob();
  const { job } = newJob(readme.env);
  const main = await job.runMain({ ...readme.inputs, materials: 'binary=app\nbuild-ref=v0.8.9' });
  assertSucceeded(main, 'main');
  const push = await job.runScript('chainloop attestation push --key env://CHAINLOOP_SIGNING_KEY >/dev/null', {
    CHAINLOOP_SIGNING_KEY: signingKey,
    CHAINLOOP_SIGNING_PASSWORD: signingKeyPassword,
  });
  assertSucceeded(push, 'the push step');
  const post = await job.runPost(readme.inputs, 'success');
  assertSucceeded(post, 'post');
  assert.match(post.log, /nothing to finish/);
  assert.equal(post.outputs.digest, undefined);
  assert.equal((await cp.admin().getRun(main.outputs['attestation-id'])).status, 'succeeded');
});

test('dry-run: crafted and signed, nothing stored in the control plane', { timeout }, async () => {
  const { job } = newJob();
  const main = await job.runMain(actionInputs({ 'dry-run': 'true', materials: 'binary=app\nbuild-ref=v0.8.9' }));
  assertSucceeded(main, 'main');
  assert.equal(main.outputs['attestation-id'], '', 'no run, no attestation id');
  const post = await job.runPost(actionInputs({ 'dry-run': 'true' }), 'success');
  assertSucceeded(post, 'post');
  assert.match(post.summary, /^### Chainloop attestation crafted \(dry run\)$/m);
  assert.match(post.summary, /\| binary \| ARTIFACT \|/);
  assert.equal(post.outputs.digest, undefined, 'nothing stored, no digest');
  const runs = await cp.admin().listRuns({ workflow: 'release' });
  assert.ok(!runs.some((run) => run.jobUrl?.endsWith(`/${job.stepEnv().GITHUB_RUN_ID}`)), 'no run recorded');
  assertNoSecretsShown(job, [main, post]);
});

test('a bad input fails main with one error line, and post then has nothing to finish', { timeout }, async () => {
  const { job } = newJob();
  const main = await job.runMain(actionInputs({ 'dry-run': 'yes' }));
  assert.equal(main.status, 1);
  assert.deepEqual(errorLines(main), ['::error::input "dry-run": "yes" is not a boolean; use true or false']);
  assertMasked(main);
  const post = await job.runPost(actionInputs({ 'dry-run': 'yes' }), 'failure');
  assertSucceeded(post, 'post');
  assert.match(post.log, /nothing to finish/);
  assertNoSecretsShown(job, [main, post]);
});

test('each bad input is named with the reason and the fix; a key that is not PEM is not echoed', {
  timeout,
}, async () => {
  const notAKey = 'hunter2-not-a-pem-key';
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'contract-revision': 'latest' }, /^input "contract-revision": "latest" is not a revision number; use 1, 2, … /],
    [{ 'signing-key': notAKey }, /^input "signing-key": not a PEM private key; fill it from a secret holding/],
    [{ 'control-plane': '' }, /^input "control-plane" is empty and CHAINLOOP_CONTROL_PLANE_API is not set: /],
  ];
  for (const [inputs, message] of cases) {
    const { job } = newJob();
    const main = await job.runMain(actionInputs(inputs));
    assert.equal(main.status, 1, main.log);
    const errors = errorLines(main);
    assert.equal(errors.length, 1, main.log);
    assert.match(errors[0].replace('::error::', ''), message);
    assert.ok(!unmaskedLog(main).includes(notAKey), 'the bad key is not printed');
    assert.deepEqual(main.state, {}, 'nothing for post to finish');
  }
});

test('a pull_request run: the attestation holds the runner context and the pull request (pr-metadata-<n>)', {
  timeout,
}, async () => {
  const { job } = newJob(
    {},
    {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: join(vectors, 'ci-context', 'github-pull-request-event.json'),
      GITHUB_REF: 'refs/pull/1347/merge',
      GITHUB_REF_NAME: '1347/merge',
      GITHUB_HEAD_REF: 'fix/stage-two-throttle',
      GITHUB_BASE_REF: 'main',
    },
  );
  const main = await job.runMain(actionInputs({ materials: 'binary=app\nbuild-ref=v0.8.9' }));
  assertSucceeded(main, 'main');
  const post = await job.runPost(actionInputs(), 'success');
  assertSucceeded(post, 'post');

  const { byName, annotations } = await pushedMaterials(main.outputs['attestation-id']);
  assert.equal(byName.get('pr-metadata-1347')?.annotations['chainloop.material.type'], 'CHAINLOOP_PR_INFO');
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
  assert.equal(annotations['chainloop.dev/is-pull-request'], 'true');
  assert.deepEqual(
    [...byName.keys()].sort(),
    ['binary', 'build-ref', 'pr-metadata-1347', 'runner-context'],
    'the materials given and the two init collected',
  );
  assert.match(post.summary, /^\| pr-metadata-1347 \| CHAINLOOP_PR_INFO \| /m);
  assert.match(post.summary, /^\| runner-context \| CHAINLOOP_RUNNER_CONTEXT \| /m);
});

/** Where the job's build and test steps leave their reports: two JUnit files, a SARIF scan and a CycloneDX SBOM. */
const REPORTS: Record<string, string> = {
  'reports/unit/junit.xml': 'junit.xml',
  'reports/integration/junit.xml': 'junit.xml',
  'sbom/app.cdx.json': 'sbom.cyclonedx-1.5.json',
  'scans/semgrep.sarif': 'report.sarif',
};

test('reports: the files a later step wrote, matched by the globs, are pushed with their detected kinds', {
  timeout,
}, async () => {
  const { job } = newJob();
  // Both separators: one glob per line, and two on one line separated by a comma.
  const inputs = actionInputs({ reports: 'reports/**/*.xml\nsbom/*.json, scans/*.sarif' });
  const main = await job.runMain({ ...inputs, materials: 'binary=app\nbuild-ref=v0.8.9' });
  assertSucceeded(main, 'main');
  // The reports do not exist yet when the action's step runs: the job's test and scan steps write them later.
  writeReports(job, REPORTS);

  const post = await job.runPost(inputs, 'success');
  assertSucceeded(post, 'post');
  assert.deepEqual(warningLines(post), [], 'every glob matched');
  assert.match(post.log, /\[command\]chainloop attestation add --from-glob "reports\/\*\*\/\*\.xml" --from-glob/);

  const { byName } = await pushedMaterials(main.outputs['attestation-id']);
  const expected: Array<[string, string, string]> = [
    // Two junit.xml: the first in path order keeps the name, the other gets a suffix.
    ['junit', 'JUNIT_XML', 'reports/integration/junit.xml'],
    ['junit-1', 'JUNIT_XML', 'reports/unit/junit.xml'],
    ['app-cdx', 'SBOM_CYCLONEDX_JSON', 'sbom/app.cdx.json'],
    ['semgrep', 'SARIF', 'scans/semgrep.sarif'],
  ];
  for (const [name, kind, file] of expected) {
    const material = byName.get(name);
    assert.ok(material, `material "${name}" pushed; materials: ${[...byName.keys()].join(', ')}`);
    assert.equal(material.annotations['chainloop.material.type'], kind, name);
    assert.equal(material.digest.sha256, sha256Of(join(job.workspace, file)), `${name} is ${file}`);
    assert.match(post.summary, new RegExp(`^\\| ${name} \\| ${kind} \\| `, 'm'), `the summary lists ${name}`);
  }
  assert.deepEqual(
    [...byName.keys()].sort(),
    ['app-cdx', 'binary', 'build-ref', 'junit', 'junit-1', 'runner-context', 'semgrep'],
    'the materials given, the runner context, and one per report',
  );
  assertNoSecretsShown(job, [main, post]);
});

test('reports matching nothing: a warning annotation per glob, and the attestation is still pushed', {
  timeout,
}, async () => {
  const { job } = newJob();
  const inputs = actionInputs({ reports: 'coverage/**/*.xml, dist/*.sarif' });
  const main = await job.runMain({ ...inputs, materials: 'binary=app\nbuild-ref=v0.8.9' });
  assertSucceeded(main, 'main');
  const post = await job.runPost(inputs, 'success');
  assertSucceeded(post, 'post');
  const warnings = warningLines(post);
  assert.equal(warnings.length, 2, post.log);
  assert.match(warnings[0], /^::warning::--from-glob "coverage\/\*\*\/\*\.xml" matched no file in .*: nothing added/);
  assert.match(warnings[1], /^::warning::--from-glob "dist\/\*\.sarif" matched no file in /);
  assert.match(post.outputs.digest, /^sha256:[0-9a-f]{64}$/, 'pushed');
  const run = await cp.admin().getRun(main.outputs['attestation-id']);
  assert.equal(run.status, 'succeeded');
  const { byName } = await pushedMaterials(main.outputs['attestation-id']);
  assert.deepEqual([...byName.keys()].sort(), ['binary', 'build-ref', 'runner-context']);
});

test('a report refused by its declared kind: post fails naming the input and the file, nothing is pushed', {
  timeout,
}, async () => {
  // A contract declaring `junit` as a SARIF report: the junit.xml the glob matches fills it and is refused.
  const { robotToken: token } = await createWorkflowWithRobot(cp, {
    name: 'reports-declared',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: 'schemaVersion: v1\nmaterials:\n  - type: SARIF\n    name: junit\n',
  });
  const { job } = newJob();
  const inputs = actionInputs({ token, reports: 'reports/**/*.xml' });
  const main = await job.runMain(inputs);
  assertSucceeded(main, 'main');
  writeReports(job, { 'reports/junit.xml': 'junit.xml' });
  const post = await job.runPost(inputs, 'success');
  assert.equal(post.status, 1, post.log);
  const errors = errorLines(post);
  assert.equal(errors.length, 1, post.log);
  assert.match(errors[0], /^::error::input "reports": chainloop attestation add: .*reports\/junit\.xml/);
  assert.equal(post.outputs.digest, undefined, 'nothing pushed');
  const run = await cp.admin().getRun(main.outputs['attestation-id']);
  assert.equal(run.status, 'failed', 'the run does not stay initialized');
  assert.match(run.reason ?? '', /input "reports" not added/);
});
