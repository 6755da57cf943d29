/**
 * Where the jobs get the CLI (input cli-source). By default they download it from the control plane they talk to and
 * check it against the sha256 the control plane announces and the cli-sha256 pin; npm installs it; path runs a
 * chainloop.cjs in the workspace. Real pipelines under gitlab-ci-local against a real control plane: a job that
 * cannot have the CLI stops with one ERR line naming the reason and the fix, before any CLI runs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startControlPlane } from '../../../e2e/support/control-plane';
import { type ComponentProject, componentRoot } from './support/component-project';
import {
  assertNoSecrets,
  assertNoStackTrace,
  CONTRACT_MATERIALS,
  cliBundle,
  cliDigest,
  cliDownloads,
  cliErrors,
  cliFetchedLine,
  createWorkflow,
  DOWNLOADED_CLI,
  jobAfterScript,
  junitReport,
  materialKinds,
  onlyRun,
  pipelineScenario,
  runPipeline,
  verifiedStatement,
  type Workflow,
} from './support/scenario';

const TIMEOUT = { timeout: 180_000 };
const cliVersion: string = JSON.parse(readFileSync(join(componentRoot, '..', 'cli', 'package.json'), 'utf8')).version;

const scenario = pipelineScenario();
const scratch: string[] = [];

after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sha256(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function inputLines(inputs: Record<string, string>): string {
  return Object.entries(inputs)
    .map(([name, value]) => `      ${name}: "${value}"\n`)
    .join('');
}

/** A user's pipeline with attest-job: a build job makes an artifact, the component's job attests it in .post. */
function jobProject(
  controlPlane: string,
  inputs: Record<string, string> = {},
  files: Record<string, string> = {},
): ComponentProject {
  return scenario.project({
    '.gitlab-ci.yml': `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-job@$CI_COMMIT_SHA
    inputs:
      control-plane: ${controlPlane}
${inputLines(inputs)}      materials:
        - binary=dist/app.txt
        - unit-tests=reports/junit.xml
        - build-ref=$CI_COMMIT_SHA

build:
  stage: build
  script:
    - mkdir -p dist && echo "app built from $CI_COMMIT_SHA" > dist/app.txt
`,
    'reports/junit.xml': junitReport,
    ...files,
  });
}

/** A user's pipeline with attest-pipeline: the build job adds two materials, then fails when BREAK_BUILD=1. */
function pipelineProject(inputs: Record<string, string> = {}): ComponentProject {
  return scenario.project({
    '.gitlab-ci.yml': `stages: [build]

include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
${inputLines(inputs)}      materials: ["build-ref=$CI_COMMIT_SHA"]

build:
  stage: build
  extends: .chainloop-add
  script:
    - mkdir -p dist && echo "app built from $CI_COMMIT_SHA" > dist/app.txt
    - chainloop attestation add --name binary --value dist/app.txt
    - chainloop attestation add --name unit-tests --value reports/junit.xml
    - test "\${BREAK_BUILD:-0}" = 0
`,
    'reports/junit.xml': junitReport,
  });
}

/** runPipeline, and a failure to get the CLI shows no stack trace. */
async function pipeline(workflow: Workflow, dir: string, options: Parameters<typeof runPipeline>[2] = {}) {
  const run = await runPipeline(workflow, dir, options);
  assertNoStackTrace(run.output);
  return run;
}

/** The one ERR line the run printed about getting the CLI, without gitlab-ci-local's `<job> > ` prefix. */
function onlyCliError(output: string): string {
  const errors = cliErrors(output);
  assert.equal(errors.length, 1, `one ERR line about the CLI:\n${output}`);
  return errors[0].replace(/^\S+\s+> /, '');
}

/** No CLI ran: nothing started on the control plane, no CLI written, and no line from the CLI (it logs INF/ERR). */
async function assertCliNeverRan(workflow: Workflow, dir: string, output: string): Promise<void> {
  assert.deepEqual(await scenario.cp.admin().listRuns({ workflow: workflow.workflowId }), [], 'no run was started');
  assert.ok(!existsSync(join(dir, DOWNLOADED_CLI)), 'no CLI was written to the workspace');
  const logged = output.split('\n').filter((line) => /^\S+\s+> (INF|WRN|ERR) /.test(line));
  assert.deepEqual(logged, cliErrors(output), 'the only log line is the ERR line about the CLI');
}

/** A job's line, as gitlab-ci-local prints it (`<job padded> > <line>`). */
function jobLine(job: string, line: string): RegExp {
  return new RegExp(`^${escapeRegExp(job)}\\s+> ${escapeRegExp(line)}$`, 'm');
}

/** A port nothing listens on: a control plane that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A stand-in `npm`: records its arguments and "installs" `chainloop` (the bundled CLI) next to itself. */
function fakeNpm(): { dir: string; calls: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-npm-'));
  scratch.push(dir);
  writeFileSync(
    join(dir, 'npm'),
    `#!/bin/sh
printf '%s\\n' "$*" >> '${dir}/calls.txt'
printf '#!/bin/sh\\nexec node "%s" "$@"\\n' '${cliBundle}' > '${dir}/chainloop'
chmod +x '${dir}/chainloop'
`,
  );
  chmodSync(join(dir, 'npm'), 0o755);
  return { dir, calls: () => (existsSync(join(dir, 'calls.txt')) ? readFileSync(join(dir, 'calls.txt'), 'utf8') : '') };
}

const DOWNLOAD = (url: string) => `${url}/v1/downloads/chainloop.cjs`;

for (const component of ['attest-job', 'attest-pipeline'] as const) {
  test(
    `${component}: a cli-sha256 pin that is not the served CLI's fails the job in one line naming both digests, and no CLI runs`,
    TIMEOUT,
    async () => {
      const workflow = await createWorkflow(scenario.cp);
      const pin = sha256('not the CLI this control plane serves');
      const { dir } =
        component === 'attest-job'
          ? jobProject(scenario.cp.url, { 'cli-sha256': pin })
          : pipelineProject({ 'cli-sha256': pin });
      const run = await pipeline(workflow, dir);
      assert.equal(run.status, 1, run.output);
      assert.equal(
        onlyCliError(run.output),
        `ERR chainloop CLI from ${DOWNLOAD(scenario.cp.url)}: the control plane serves sha256 ${cliDigest}, not the pinned ` +
          `cli-sha256 ${pin}: if the control plane was upgraded on purpose, set cli-sha256 to what curl ` +
          `${DOWNLOAD(scenario.cp.url)}.sha256 prints`,
      );
      await assertCliNeverRan(workflow, dir, run.output);
    },
  );
}

test(
  'attest-pipeline: with the right cli-sha256 pin every job runs the downloaded CLI: a succeeded run that verifies',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const { dir } = pipelineProject({ 'cli-sha256': cliDigest });
    const run = await pipeline(workflow, dir);
    assert.equal(run.status, 0, run.output);
    for (const job of ['chainloop-init', 'build', 'chainloop-push']) {
      assert.match(
        run.output,
        jobLine(job, cliFetchedLine(scenario.cp.url)),
        `${job} got the CLI from the control plane`,
      );
    }
    assert.ok(readFileSync(join(dir, DOWNLOADED_CLI)).equals(readFileSync(cliBundle)));
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(scenario.cp, stored.id);
    assert.deepEqual(materialKinds(statement), CONTRACT_MATERIALS);
  },
);

test(
  'a download that is not what the control plane announces (changed on the way) fails the job in one line, and no CLI runs',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    // Stands in for a proxy that alters the file: the digest is the real CLI's, the bytes are not.
    const changed = Buffer.concat([readFileSync(cliBundle), Buffer.from('\nrequire("node:child_process");\n')]);
    const server = createServer((request, response) => {
      if (request.url === '/v1/downloads/chainloop.cjs.sha256') response.end(`${cliDigest}  chainloop.cjs\n`);
      else if (request.url === '/v1/downloads/chainloop.cjs') response.end(changed);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { dir } = jobProject(url);
      const run = await pipeline(workflow, dir);
      assert.equal(run.status, 1, run.output);
      assert.equal(
        onlyCliError(run.output),
        `ERR chainloop CLI from ${DOWNLOAD(url)}: the download has sha256 ${sha256(changed)}, not the ${cliDigest} the ` +
          'control plane announces: it was changed or cut short on the way: retry the job, and check any proxy ' +
          'between the runner and the control plane',
      );
      await assertCliNeverRan(workflow, dir, run.output);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  },
);

test(
  'an unreachable control plane fails the job in one line naming the fix (the line the README shows), not a stack trace',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const { dir } = jobProject(url);
    const run = await pipeline(workflow, dir);
    assert.equal(run.status, 1, run.output);
    const line = onlyCliError(run.output);
    assert.equal(
      line,
      `ERR chainloop CLI from ${DOWNLOAD(url)}: cannot reach the control plane (connect ECONNREFUSED 127.0.0.1:${port}): ` +
        'check the control-plane input and that this runner can reach it, or set cli-source to npm or path',
    );
    const readme = readFileSync(join(componentRoot, 'README.md'), 'utf8');
    const shown = /```text\n(ERR chainloop CLI from .*)\n```/.exec(readme)?.[1];
    assert.ok(shown, 'the README shows the line');
    assert.equal(
      shown
        .replace('(getaddrinfo ENOTFOUND chainloop.example.com)', `(connect ECONNREFUSED 127.0.0.1:${port})`)
        .replaceAll('https://chainloop.example.com', url),
      line,
    );
    await assertCliNeverRan(workflow, dir, run.output);
  },
);

test(
  'a control plane that has no CLI to serve: the job fails in one line with the control plane’s own message',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const absent = join(mkdtempSync(join(tmpdir(), 'no-cli-')), 'absent.cjs');
    scratch.push(join(absent, '..'));
    const bare = await startControlPlane({ args: ['--cli-bundle', absent] });
    try {
      const { dir } = jobProject(bare.url);
      const run = await pipeline(workflow, dir);
      assert.equal(run.status, 1, run.output);
      assert.match(
        onlyCliError(run.output),
        new RegExp(
          `^ERR chainloop CLI from ${escapeRegExp(DOWNLOAD(bare.url))}: the control plane answered 404 \\(this control plane ` +
            `has no CLI to serve \\(looked in ${escapeRegExp(absent)}\\): start it with --cli-bundle .*\\): make the control ` +
            'plane serve its CLI \\(see its message\\), or set cli-source to npm or path$',
        ),
      );
      await assertCliNeverRan(workflow, dir, run.output);
    } finally {
      await bare.stop();
    }
  },
);

test(
  'a failing pipeline: the reset job gets the CLI from the control plane too and marks the run failed',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const { dir } = pipelineProject();
    const run = await pipeline(workflow, dir, { variables: { BREAK_BUILD: '1' } });
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, jobLine('chainloop-reset', cliFetchedLine(scenario.cp.url)));
    assert.match(run.output, jobLine('chainloop-reset', 'INF Attestation marked as failed'));
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'failed', JSON.stringify(stored));
  },
);

test(
  'a job cancelled before it had the CLI: its after_script downloads it and marks the run cancelled',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const { dir } = pipelineProject();
    const init = await pipeline(workflow, dir, { args: ['chainloop-init'] });
    assert.equal(init.status, 0, init.output);
    assert.equal((await onlyRun(scenario.cp, workflow)).status, 'initialized');
    // As on a runner where the build job was cancelled during its before_script: no CLI in its workspace.
    rmSync(join(dir, '.chainloop', 'cli'), { recursive: true, force: true });

    const afterScript = await jobAfterScript(workflow, dir, 'build');
    const hook = await afterScript('canceled');
    assert.equal(hook.status, 0, hook.output);
    assert.ok(hook.output.includes(cliFetchedLine(scenario.cp.url)), hook.output);
    assert.ok(readFileSync(join(dir, DOWNLOADED_CLI)).equals(readFileSync(cliBundle)));
    assertNoSecrets(workflow, hook.output);
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'cancelled', JSON.stringify(stored));
    assert.equal(stored.reason, 'job build canceled');
  },
);

test('cli-source path runs the chainloop.cjs committed in the repository, and downloads nothing', TIMEOUT, async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir } = jobProject(
    scenario.cp.url,
    { 'cli-source': 'path', 'cli-path': 'tools/chainloop.cjs' },
    { 'tools/chainloop.cjs': readFileSync(cliBundle, 'utf8') },
  );
  scenario.cp.takeLog();
  const run = await pipeline(workflow, dir);
  assert.equal(run.status, 0, run.output);
  assert.equal((await onlyRun(scenario.cp, workflow)).status, 'succeeded');
  assert.deepEqual(cliDownloads(scenario.cp), []);
  assert.ok(!existsSync(join(dir, DOWNLOADED_CLI)));
});

test(
  'cli-source npm installs @chainloop-ts/cli at cli-version and runs the chainloop it puts on PATH; nothing is downloaded',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const npm = fakeNpm();
    const { dir } = jobProject(scenario.cp.url, { 'cli-source': 'npm' });
    scenario.cp.takeLog();
    const run = await pipeline(workflow, dir, { path: [npm.dir] });
    assert.equal(run.status, 0, run.output);
    assert.equal(
      npm.calls(),
      `install --global --no-fund --no-audit --loglevel=error @chainloop-ts/cli@${cliVersion}\n`,
    );
    assert.equal((await onlyRun(scenario.cp, workflow)).status, 'succeeded');
    assert.deepEqual(cliDownloads(scenario.cp), []);
    assert.ok(!existsSync(join(dir, DOWNLOADED_CLI)));
  },
);

const refused: Array<{ what: string; inputs: Record<string, string>; line: string }> = [
  {
    what: 'cli-path with cli-source npm',
    inputs: { 'cli-source': 'npm', 'cli-path': 'tools/chainloop.cjs' },
    line:
      'ERR cli-path tools/chainloop.cjs with cli-source npm: leave cli-path empty to install @chainloop-ts/cli from ' +
      'npm, or set cli-source to path',
  },
  {
    what: 'cli-source path without cli-path',
    inputs: { 'cli-source': 'path' },
    line:
      'ERR cli-source path without cli-path: set cli-path to the chainloop.cjs in the workspace, or leave ' +
      'cli-source at control-plane',
  },
  {
    what: 'a cli-path that is not a file (cli-source left at its default)',
    inputs: { 'cli-path': 'tools/missing.cjs' },
    line: "ERR cli-path tools/missing.cjs is not a file in the workspace: commit chainloop.cjs there or take it from an earlier job's artifacts, or leave cli-source at control-plane",
  },
];

for (const { what, inputs, line } of refused) {
  test(`${what}: the job stops in one line naming the fix, and no CLI runs`, TIMEOUT, async () => {
    const workflow = await createWorkflow(scenario.cp);
    // npm is a stand-in: if the job ever installed, it would succeed here rather than fail on the registry.
    const npm = fakeNpm();
    const { dir } = jobProject(scenario.cp.url, inputs);
    const run = await pipeline(workflow, dir, { path: [npm.dir] });
    assert.equal(run.status, 1, run.output);
    assert.equal(onlyCliError(run.output), line);
    assert.equal(npm.calls(), '', 'npm was not run');
    await assertCliNeverRan(workflow, dir, run.output);
  });
}
