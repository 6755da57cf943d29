/**
 * The pipeline-lifecycle component in real pipelines: gitlab-ci-local (shell executor) runs a project that includes
 * it as $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA, with the bundled CLI, against a real
 * control plane process.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ComponentProject, PROJECT } from './support/component-project';
import { GIT_USER, RUNNER_VARIABLES, runGitlabCiLocal } from './support/gitlab-ci-local';
import {
  assertNoSecrets,
  CONTRACT_MATERIALS,
  cliBundle,
  createWorkflow,
  expandJobVariables,
  jobAfterScript,
  jobFromPreview,
  junitReport,
  materialKinds,
  onlyRun,
  pipelineScenario,
  runPipeline,
  runScript,
  verifiedStatement,
} from './support/scenario';

const scenario = pipelineScenario();

/**
 * A user's pipeline: three jobs add materials three ways (a one-line command, CHAINLOOP_MATERIALS on a job that
 * extends .chainloop-add, the push job's materials input); `check` is a plain job that fails when BREAK_BUILD=1.
 */
function userPipeline(options: { unitTests?: boolean } = {}): string {
  return `stages: [build, test]

include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
      cli-path: ${cliBundle}
      materials: ["build-ref=$CI_COMMIT_SHA"]

build:
  stage: build
  extends: .chainloop-add
  script:
    - mkdir -p dist && echo "app built from $CI_COMMIT_SHA" > dist/app.txt
    - chainloop attestation add --name binary --value dist/app.txt

${
  options.unitTests === false
    ? ''
    : `unit-tests:
  stage: test
  extends: .chainloop-add
  variables:
    CHAINLOOP_MATERIALS: unit-tests=reports/junit.xml
`
}
check:
  stage: test
  script:
    - echo "$CHAINLOOP_ATTESTATION_ID" > dotenv-seen.txt
    - test "\${BREAK_BUILD:-0}" = 0
`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function project(options: { unitTests?: boolean } = {}): ComponentProject {
  return scenario.project({ '.gitlab-ci.yml': userPipeline(options), 'reports/junit.xml': junitReport });
}

test('a green pipeline leaves a succeeded run whose attestation verifies, with three jobs’ materials and the GitLab context', async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir, sha } = project();
  const run = await runPipeline(workflow, dir);
  assert.equal(run.status, 0, run.output);

  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
  assert.equal(stored.runnerType, 'GITLAB_PIPELINE');
  assert.match(stored.jobUrl, new RegExp(`^https://${PROJECT.host}/${PROJECT.path}/-/jobs/\\d+$`));

  const statement = await verifiedStatement(scenario.cp, stored.id);
  assert.deepEqual(materialKinds(statement), CONTRACT_MATERIALS);
  assert.equal(statement.predicate.runnerType, 'GITLAB_PIPELINE');
  assert.equal(statement.predicate.runnerURL, stored.jobUrl);
  const env = statement.predicate.env ?? {};
  assert.equal(env.CI_PROJECT_PATH, PROJECT.path);
  assert.equal(env.CI_COMMIT_SHA, sha);
  assert.equal(env.CI_JOB_URL, stored.jobUrl);
  assert.equal(env.CI_SERVER_URL, `https://${PROJECT.host}`);
  assert.equal(env.CI_RUNNER_VERSION, RUNNER_VARIABLES.CI_RUNNER_VERSION);
  assert.ok(
    statement.subject.some((s) => s.digest.sha1 === sha),
    'the commit is a subject of the attestation',
  );
  assert.equal(env.GITLAB_USER_EMAIL, GIT_USER.email);
  // The dotenv report handed the attestation ID from .pre to a job that does not use the component at all.
  assert.equal(readFileSync(join(dir, 'dotenv-seen.txt'), 'utf8'), `${stored.id}\n`);
});

test('a pipeline with a failing job leaves a failed run (the reset job runs in .post, the push job does not)', async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir } = project();
  const run = await runPipeline(workflow, dir, { variables: { BREAK_BUILD: '1' } });
  assert.equal(run.status, 1, run.output);
  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'failed', JSON.stringify(stored));
  assert.equal(stored.trigger, 'failure');
  assert.match(stored.reason ?? '', /pipeline \d+ failed/);
  assert.match(run.output, /chainloop-reset\s+\$ .*chainloop attestation finish --ci gitlab --status failed/);
  assert.match(run.output, /chainloop-reset\s+> INF Attestation marked as failed/);
  assert.doesNotMatch(run.output, /chainloop-push\s+\$ /);
});

test('a push that fails (a contract material never added) resets the run as failed from its after_script', async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir } = project({ unitTests: false });
  const run = await runPipeline(workflow, dir);
  assert.equal(run.status, 1, run.output);
  assert.match(run.output, /some materials have not been crafted yet: unit-tests/);
  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'failed', JSON.stringify(stored));
  assert.equal(stored.trigger, 'failure');
  assert.equal(stored.reason, 'job chainloop-push failed');
});

test('init refused (a wrong robot token): the pipeline fails with no run, and the reset job has nothing to reset', async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir } = project();
  const wrong = { ...workflow, secrets: { ...workflow.secrets, CHAINLOOP_TOKEN: 'cl_robot_not-a-real-token-0000' } };
  const run = await runPipeline(wrong, dir);
  assert.equal(run.status, 1, run.output);
  assert.match(run.output, /chainloop-init\s+> ERR the token is not valid/);
  assert.deepEqual(await scenario.cp.admin().listRuns({ workflow: workflow.workflowId }), []);
  // gitlab-ci-local stops at a failed .pre job; GitLab would still run the on_failure reset job: run its script.
  const preview = await runGitlabCiLocal({ cwd: dir, args: ['--preview'] });
  const job = jobFromPreview(preview.output, 'chainloop-reset');
  const reset = await runScript([...job.beforeScript, ...job.script], {
    cwd: dir,
    env: { ...wrong.secrets, ...expandJobVariables(job.variables, wrong.secrets), CI_PIPELINE_ID: '7' },
  });
  assert.equal(reset.status, 0, reset.output);
  assert.match(reset.output, /INF no attestation was started: nothing to reset/);
});

test('a job cancelled mid-pipeline: its after_script (CI_JOB_STATUS=canceled) leaves a cancelled run', async () => {
  const workflow = await createWorkflow(scenario.cp);
  const { dir } = project();
  // The .pre stage only: the run is started and its ID handed on, as when a later job gets cancelled.
  const init = await runPipeline(workflow, dir, { args: ['chainloop-init'] });
  assert.equal(init.status, 0, init.output);
  assert.equal((await onlyRun(scenario.cp, workflow)).status, 'initialized');

  // gitlab-ci-local cannot cancel a job: run the build job's after_script as GitLab would after a cancel.
  const afterScript = await jobAfterScript(workflow, dir, 'build');
  const hook = await afterScript('canceled');
  assert.equal(hook.status, 0, hook.output);
  assertNoSecrets(workflow, hook.output);
  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'cancelled', JSON.stringify(stored));
  assert.equal(stored.trigger, 'cancellation');
  assert.equal(stored.reason, 'job build canceled');

  // The same after_script after a success or a failure leaves the run alone (the push/reset jobs decide).
  const again = await afterScript('failed');
  assert.equal(again.status, 0, again.output);
  assert.equal((await onlyRun(scenario.cp, workflow)).status, 'cancelled');
});

test('two includes (two workflows, two robot tokens) in one pipeline each attest their own jobs', async () => {
  const [app, docs] = [await createWorkflow(scenario.cp), await createWorkflow(scenario.cp)];
  const include = (prefix: string) => `  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      job-prefix: ${prefix}
      control-plane: ${scenario.cp.url}
      cli-path: ${cliBundle}
      token-variable: ${prefix.toUpperCase()}_CHAINLOOP_TOKEN
      materials: ["build-ref=${prefix}-$CI_COMMIT_SHORT_SHA"]
`;
  const job = (prefix: string) => `build-${prefix}:
  stage: build
  extends: .${prefix}-add
  script:
    - mkdir -p ${prefix} && echo "${prefix} build" > ${prefix}/out.txt
    - chainloop attestation add --name binary --value ${prefix}/out.txt
    - chainloop attestation add --name unit-tests --value reports/junit.xml
`;
  const created = scenario.project({
    '.gitlab-ci.yml': `stages: [build]\n\ninclude:\n${include('app')}${include('docs')}\n${job('app')}\n${job('docs')}`,
    'reports/junit.xml': junitReport,
  });
  const secrets = {
    ...app.secrets,
    CHAINLOOP_TOKEN: '',
    APP_CHAINLOOP_TOKEN: app.secrets.CHAINLOOP_TOKEN,
    DOCS_CHAINLOOP_TOKEN: docs.secrets.CHAINLOOP_TOKEN,
  };
  const run = await runGitlabCiLocal({ cwd: created.dir, variables: RUNNER_VARIABLES, secrets });
  assert.equal(run.status, 0, run.output);
  assertNoSecrets({ workflowId: '', secrets }, run.output);
  const short = created.sha.slice(0, 8);
  for (const [prefix, workflow] of [
    ['app', app],
    ['docs', docs],
  ] as const) {
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'succeeded', `${prefix}: ${JSON.stringify(stored)}`);
    const statement = await verifiedStatement(scenario.cp, stored.id);
    const byName = Object.fromEntries(
      statement.predicate.materials.map((m) => [
        m.annotations['chainloop.material.name'],
        m as Record<string, unknown>,
      ]),
    );
    assert.equal(Buffer.from(String(byName['build-ref'].content), 'base64').toString(), `${prefix}-${short}`);
    assert.equal(byName.binary.name, 'out.txt');
    assert.deepEqual(byName.binary.digest, { sha256: sha256(`${prefix} build\n`) });
  }
});
