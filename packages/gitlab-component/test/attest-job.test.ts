/**
 * The single-job component in real pipelines: gitlab-ci-local (shell executor) runs a project that includes it as
 * $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-job@$CI_COMMIT_SHA, with the bundled CLI, against a real control plane.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import { type ComponentProject, createComponentProject, PROJECT } from './support/component-project';
import { GIT_USER, RUNNER_VARIABLES, runGitlabCiLocal } from './support/gitlab-ci-local';
import {
  assertNoSecrets,
  CONTRACT_MATERIALS,
  cliBundle,
  createWorkflow,
  expandJobVariables,
  jobFromPreview,
  junitReport,
  materialKinds,
  onlyRun,
  RUNNER_CONTEXT,
  runScript,
  verifiedStatement,
  type Workflow,
} from './support/scenario';

let cp: TestControlPlane;
const projects: ComponentProject[] = [];

before(async () => {
  assert.ok(existsSync(cliBundle), `${cliBundle} missing: run npm run build first`);
  cp = await startControlPlane();
});

after(async () => {
  await cp?.stop();
  for (const project of projects) project.remove();
});

/** A user's pipeline: a build job makes an artifact, the component's job attests it in .post. */
function project(inputs: { binary?: string; extra?: string; materials?: string[] } = {}): ComponentProject {
  const materials = inputs.materials ?? [
    `binary=${inputs.binary ?? 'dist/app.txt'}`,
    'unit-tests=reports/junit.xml',
    'build-ref=$CI_COMMIT_SHA',
  ];
  const created = createComponentProject({
    '.gitlab-ci.yml': `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-job@$CI_COMMIT_SHA
    inputs:
      control-plane: ${cp.url}
      cli-path: ${cliBundle}
      materials:
${materials.map((m) => `        - ${m}\n`).join('')}${inputs.extra ?? ''}
build:
  stage: build
  script:
    - mkdir -p dist && echo "app built from $CI_COMMIT_SHA" > dist/app.txt
`,
    'reports/junit.xml': junitReport,
  });
  projects.push(created);
  return created;
}

async function pipeline(workflow: Workflow, dir: string, options: { keyAsFile?: boolean } = {}) {
  const { CHAINLOOP_SIGNING_KEY, ...secrets } = workflow.secrets;
  const run = await runGitlabCiLocal({
    cwd: dir,
    // As an attest-pipeline include's dotenv report would hand it: this job must keep to its own local state.
    variables: { ...RUNNER_VARIABLES, CHAINLOOP_ATTESTATION_ID: '00000000-0000-4000-8000-000000000000' },
    secrets: options.keyAsFile ? secrets : workflow.secrets,
    fileSecrets: options.keyAsFile ? { CHAINLOOP_SIGNING_KEY } : undefined,
  });
  assertNoSecrets(workflow, run.output);
  assertNoSecrets(workflow, run.argv.join(' '));
  return run;
}

test('one job inits, adds the materials input and pushes: a succeeded run that verifies, with the GitLab context', async () => {
  const workflow = await createWorkflow(cp);
  const { dir, sha } = project();
  // The key as a GitLab File variable: the job passes its path instead of env://.
  const run = await pipeline(workflow, dir, { keyAsFile: true });
  assert.equal(run.status, 0, run.output);
  const stored = await onlyRun(cp, workflow);
  assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
  assert.match(stored.jobUrl, new RegExp(`^https://${PROJECT.host}/${PROJECT.path}/-/jobs/\\d+$`));
  const statement = await verifiedStatement(cp, stored.id);
  assert.deepEqual(materialKinds(statement), CONTRACT_MATERIALS);
  assert.equal(statement.predicate.runnerType, 'GITLAB_PIPELINE');
  assert.equal(statement.predicate.runnerURL, stored.jobUrl);
  assert.equal(statement.predicate.env?.CI_PROJECT_PATH, PROJECT.path);
  assert.equal(statement.predicate.env?.CI_COMMIT_SHA, sha);
  assert.equal(statement.predicate.env?.GITLAB_USER_EMAIL, GIT_USER.email);
});

test('a material that cannot be added fails the job, and its after_script leaves a failed run', async () => {
  const workflow = await createWorkflow(cp);
  const { dir } = project({ binary: 'dist/missing.txt' });
  const run = await pipeline(workflow, dir);
  assert.equal(run.status, 1, run.output);
  assert.match(run.output, /dist\/missing\.txt/);
  const stored = await onlyRun(cp, workflow);
  assert.equal(stored.status, 'failed', JSON.stringify(stored));
  assert.equal(stored.trigger, 'failure');
  assert.equal(stored.reason, 'job chainloop-attestation failed');
});

test('contract-revision pins the contract the run is attested against', async () => {
  const workflow = await createWorkflow(cp);
  const latest = await cp.admin().getContract(workflow.workflowId);
  const first = await cp.admin().getContract(workflow.workflowId, 1);
  assert.ok(latest.revision > 1, 'the workflow has an older contract revision');
  assert.doesNotMatch(first.body ?? '', /unit-tests/, 'revision 1 is not the test contract');
  // Revision 1 declares none of these: they go in with a kind (KIND:name=value).
  const { dir } = project({
    extra: '      contract-revision: "1"\n',
    materials: ['ARTIFACT:binary=dist/app.txt', 'STRING:build-ref=$CI_COMMIT_SHA'],
  });
  const run = await pipeline(workflow, dir);
  assert.equal(run.status, 0, run.output);
  const stored = await onlyRun(cp, workflow);
  assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
  assert.equal(stored.contractRevision, 1);
  const statement = await verifiedStatement(cp, stored.id);
  assert.deepEqual(materialKinds(statement), { binary: 'ARTIFACT', 'build-ref': 'STRING', ...RUNNER_CONTEXT });
});

test('dry-run: the job crafts and signs but stores nothing', async () => {
  const workflow = await createWorkflow(cp);
  const { dir } = project({ extra: '      dry-run: true\n' });
  const run = await pipeline(workflow, dir);
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /dry-run/);
  assert.deepEqual(await cp.admin().listRuns({ workflow: workflow.workflowId }), []);
});

test('cancelled after init: the after_script with CI_JOB_STATUS=canceled leaves a cancelled run', async () => {
  const workflow = await createWorkflow(cp);
  const { dir, sha } = project();
  const preview = await runGitlabCiLocal({ cwd: dir, args: ['--preview'] });
  assert.equal(preview.status, 0, preview.output);
  const job = jobFromPreview(preview.output, 'chainloop-attestation');
  // What the runner gives the job (the values gitlab-ci-local sets, see the pipeline tests), then the job's own
  // before_script and the script lines up to and including init; gitlab-ci-local cannot cancel a job.
  const env = {
    GITLAB_CI: 'true',
    CI_JOB_NAME: 'chainloop-attestation',
    CI_JOB_URL: `https://${PROJECT.host}/${PROJECT.path}/-/jobs/41`,
    CI_PIPELINE_URL: `https://${PROJECT.host}/${PROJECT.path}/pipelines/7`,
    CI_PROJECT_URL: `https://${PROJECT.host}/${PROJECT.path}`,
    CI_PROJECT_PATH: PROJECT.path,
    CI_SERVER_URL: `https://${PROJECT.host}`,
    CI_COMMIT_SHA: sha,
    CI_COMMIT_REF_NAME: 'main',
    GITLAB_USER_LOGIN: 'dev',
    GITLAB_USER_EMAIL: GIT_USER.email,
    ...RUNNER_VARIABLES,
    ...workflow.secrets,
  };
  const variables = { ...env, ...expandJobVariables(job.variables, env) };
  const initIndex = job.script.findIndex((line) => line.includes('chainloop attestation init'));
  assert.ok(initIndex >= 0, 'the job runs init');
  const started = await runScript([...job.beforeScript, ...job.script.slice(0, initIndex + 1)], {
    cwd: dir,
    env: { ...variables, CI_JOB_STATUS: 'running' },
  });
  assert.equal(started.status, 0, started.output);
  assert.equal((await onlyRun(cp, workflow)).status, 'initialized');

  const hook = await runScript(job.afterScript, { cwd: dir, env: { ...variables, CI_JOB_STATUS: 'canceled' } });
  assert.equal(hook.status, 0, hook.output);
  assertNoSecrets(workflow, started.output + hook.output);
  const stored = await onlyRun(cp, workflow);
  assert.equal(stored.status, 'cancelled', JSON.stringify(stored));
  assert.equal(stored.trigger, 'cancellation');
  assert.equal(stored.reason, 'job chainloop-attestation canceled');
});
