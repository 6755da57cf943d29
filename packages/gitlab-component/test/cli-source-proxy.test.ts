/**
 * Getting the CLI behind a proxy: Node's fetch ignores HTTPS_PROXY / HTTP_PROXY, so when one applies to the control
 * plane URL the job downloads with curl through it; the CLI the job then runs uses the same proxy. A real tinyproxy
 * with credentials on 127.0.0.1 under gitlab-ci-local: its log shows what it relayed; NO_PROXY exempts the host; with
 * the proxy down the job stops in one ERR line naming it, never its password.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTinyproxy, type Tinyproxy } from '../../../e2e/support/tinyproxy';
import type { ComponentProject } from './support/component-project';
import { RUNNER_VARIABLES, runGitlabCiLocal } from './support/gitlab-ci-local';
import {
  assertNoSecrets,
  assertNoStackTrace,
  cliBundle,
  cliErrors,
  cliFetchedLine,
  createWorkflow,
  DOWNLOADED_CLI,
  junitReport,
  onlyRun,
  pipelineScenario,
  type Workflow,
} from './support/scenario';

const TIMEOUT = { timeout: 180_000 };
const PASSWORD = 'gitlab-proxy-secret-42c1';
const scenario = pipelineScenario();
let proxy: Tinyproxy;

before(async () => {
  proxy = await startTinyproxy({ user: 'runner', password: PASSWORD });
});
after(async () => {
  await proxy?.stop();
});

/** A user's pipeline with attest-job: a build job makes an artifact, the component's job attests it. */
function jobProject(): ComponentProject {
  return scenario.project({
    '.gitlab-ci.yml': `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-job@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
      materials:
        - binary=dist/app.txt
        - unit-tests=reports/junit.xml
        - build-ref=$CI_COMMIT_SHA

build:
  stage: build
  script:
    - mkdir -p dist && echo "app built from $CI_COMMIT_SHA" > dist/app.txt
`,
    'reports/junit.xml': junitReport,
  });
}

/** Runs the pipeline with the proxy variables as masked project variables (the password is in HTTP_PROXY). */
async function pipeline(workflow: Workflow, proxyVariables: Record<string, string>) {
  const withProxy = { ...workflow, secrets: { ...workflow.secrets, ...proxyVariables } };
  const { dir } = jobProject();
  const run = await runGitlabCiLocal({ cwd: dir, variables: RUNNER_VARIABLES, secrets: withProxy.secrets });
  assertNoSecrets(withProxy, run.output);
  assert.ok(!run.output.includes(PASSWORD), 'the proxy password is printed');
  assertNoStackTrace(run.output);
  return { ...run, dir };
}

test(
  'HTTP_PROXY: the job downloads the CLI through the proxy and attests through it; NO_PROXY bypasses it',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp);
    const before = proxy.requests().length;
    const run = await pipeline(workflow, { HTTP_PROXY: proxy.url });
    assert.equal(run.status, 0, run.output);
    assert.ok(run.output.includes(cliFetchedLine(scenario.cp.url)), run.output);
    assert.ok(readFileSync(join(run.dir, DOWNLOADED_CLI)).equals(readFileSync(cliBundle)));
    const relayed = proxy.requests().slice(before);
    assert.deepEqual(relayed.slice(0, 2), [
      `GET ${scenario.cp.url}/v1/downloads/chainloop.cjs.sha256`,
      `GET ${scenario.cp.url}/v1/downloads/chainloop.cjs`,
    ]);
    assert.ok(
      relayed.some((line) => line.startsWith(`POST ${scenario.cp.url}/v1/`)),
      `the CLI's own requests went through the proxy too:\n${relayed.join('\n')}`,
    );
    assert.equal((await onlyRun(scenario.cp, workflow)).status, 'succeeded');

    const other = await createWorkflow(scenario.cp);
    const direct = proxy.requests().length;
    const bypass = await pipeline(other, { HTTP_PROXY: proxy.url, NO_PROXY: '.example.com,127.0.0.1' });
    assert.equal(bypass.status, 0, bypass.output);
    assert.deepEqual(proxy.requests().slice(direct), []);
    assert.equal((await onlyRun(scenario.cp, other)).status, 'succeeded');
  },
);

test('the proxy down: one ERR line naming the proxy (not its password) and the fix; no CLI runs', TIMEOUT, async () => {
  const workflow = await createWorkflow(scenario.cp);
  const gone = await startTinyproxy({ user: 'runner', password: PASSWORD });
  await gone.stop();
  const run = await pipeline(workflow, { http_proxy: gone.url });
  assert.equal(run.status, 1, run.output);
  const errors = cliErrors(run.output);
  assert.equal(errors.length, 1, run.output);
  assert.match(
    errors[0].replace(/^\S+\s+> /, ''),
    new RegExp(
      `^ERR chainloop CLI from ${scenario.cp.url.replaceAll('.', '\\.')}/v1/downloads/chainloop\\.cjs: cannot reach the control plane through the proxy ${gone.origin.replaceAll('.', '\\.')} \\(from http_proxy\\) \\(curl: \\(7\\) [^)]*${gone.port}[^)]*\\): check http_proxy, or add 127\\.0\\.0\\.1 to NO_PROXY to connect directly, or set cli-source to npm or path$`,
    ),
  );
  assert.deepEqual(await scenario.cp.admin().listRuns({ workflow: workflow.workflowId }), [], 'no run was started');
  assert.ok(!existsSync(join(run.dir, DOWNLOADED_CLI)), 'no CLI was written to the workspace');
});
