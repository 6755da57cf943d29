import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createTektonRunner,
  detectRunner,
  RUNNER_DETECTION_PRIORITY,
  type Runner,
  resolveRunnerEnv,
} from '@chainloop-ts/core/runners';
import {
  AZURE_PIPELINES_ENV,
  CIRCLECI_ENV,
  DAGGER_ENV,
  GITHUB_ACTIONS_ENV,
  GITLAB_CI_ENV,
  JENKINS_ENV,
  TEAMCITY_ENV,
  TEKTON_ENV,
} from './ci-environments';

// A Tekton step container, built in a temp dir; the runner list under test uses it instead of /tekton/results.
const tektonRoot = mkdtempSync(join(tmpdir(), 'tekton-'));
mkdirSync(join(tektonRoot, 'results'));
writeFileSync(join(tektonRoot, 'namespace'), 'ci-builds\n');
const tektonHere = createTektonRunner({
  resultsDir: join(tektonRoot, 'results'),
  namespaceFile: join(tektonRoot, 'namespace'),
});
const tektonAbsent = createTektonRunner({
  resultsDir: join(tektonRoot, 'nope'),
  namespaceFile: join(tektonRoot, 'namespace'),
});
after(() => rmSync(tektonRoot, { recursive: true, force: true }));

const withTekton = (tekton: Runner) =>
  RUNNER_DETECTION_PRIORITY.map((r) => (r.type === 'TEKTON_PIPELINE' ? tekton : r));
const runnersHere = withTekton(tektonAbsent);

const cases: {
  name: string;
  env: NodeJS.ProcessEnv;
  type: string;
  runners: readonly Runner[];
  runUrl: string | undefined;
}[] = [
  {
    name: 'GitHub Actions',
    env: GITHUB_ACTIONS_ENV,
    type: 'GITHUB_ACTION',
    runners: runnersHere,
    runUrl: 'https://github.com/chainloop/chainloop/actions/runs/123',
  },
  {
    name: 'GitLab CI',
    env: GITLAB_CI_ENV,
    type: 'GITLAB_PIPELINE',
    runners: runnersHere,
    runUrl: 'https://gitlab.com/chainloop/chainloop/-/jobs/123',
  },
  {
    name: 'Jenkins',
    env: JENKINS_ENV,
    type: 'JENKINS_JOB',
    runners: runnersHere,
    runUrl: 'http://jenkins.example.com:8080/job/chainloop/17/',
  },
  {
    name: 'CircleCI',
    env: CIRCLECI_ENV,
    type: 'CIRCLECI_BUILD',
    runners: runnersHere,
    runUrl: 'https://circleci.com/gh/chainloop/chainloop/123',
  },
  {
    name: 'Azure Pipelines',
    env: AZURE_PIPELINES_ENV,
    type: 'AZURE_PIPELINE',
    runners: runnersHere,
    runUrl:
      'https://dev.azure.com/chainloop-test/chainloop-tests/_build/results?buildId=6&j=12f1170f-54f2-53f3-20dd-22fc7dff55f9&view=logs',
  },
  {
    name: 'TeamCity',
    env: TEAMCITY_ENV,
    type: 'TEAMCITY_PIPELINE',
    runners: runnersHere,
    runUrl: 'https://teamcity.example.com/viewLog.html?buildId=42',
  },
  { name: 'Dagger', env: DAGGER_ENV, type: 'DAGGER_PIPELINE', runners: runnersHere, runUrl: undefined },
  {
    name: 'Tekton',
    env: TEKTON_ENV,
    type: 'TEKTON_PIPELINE',
    runners: withTekton(tektonHere),
    runUrl: 'tekton://ci-builds/pipelineruns/build-and-push-run-x7k2q',
  },
];

describe('detectRunner', () => {
  for (const { name, env, type, runners, runUrl } of cases) {
    it(`detects a ${name} job as ${type} and as no other CI`, () => {
      const matching = runners.filter((runner) => runner.detect(env)).map((runner) => runner.type);
      assert.deepEqual(matching, [type]);
      const detected = detectRunner(env, runners);
      assert.equal(detected.type, type);
      assert.equal(detected.runUrl(env), runUrl);
    });

    it(`${name}: records every required variable from a real-looking job`, () => {
      const detected = detectRunner(env, runners);
      const { values, missing } = resolveRunnerEnv(detected, env);
      assert.deepEqual(missing, []);
      const required = detected.envVars().filter((variable) => !variable.optional);
      assert.ok(required.length > 0, `${name} declares required variables`);
      for (const variable of required) assert.ok(values[variable.name], `${variable.name} recorded`);
    });
  }

  it('falls back to generic when no CI variable is set, even with CI=true', () => {
    for (const env of [{}, { PATH: '/usr/bin', HOME: '/root' }, { CI: 'true' }]) {
      const detected = detectRunner(env, runnersHere);
      assert.equal(detected.type, 'RUNNER_TYPE_UNSPECIFIED');
      assert.equal(detected.runUrl(env), undefined);
      assert.deepEqual(resolveRunnerEnv(detected, env), { values: {}, missing: [] });
    }
  });

  it('the default list detects nothing here without CI variables (no /tekton/results on this machine)', () => {
    assert.equal(detectRunner({}).type, 'RUNNER_TYPE_UNSPECIFIED');
  });

  it('treats empty CI variables as unset', () => {
    assert.equal(
      detectRunner({ ...GITHUB_ACTIONS_ENV, GITHUB_RUN_ID: '' }, runnersHere).type,
      'RUNNER_TYPE_UNSPECIFIED',
    );
    assert.equal(detectRunner({ ...CIRCLECI_ENV, CIRCLECI: 'True' }, runnersHere).type, 'RUNNER_TYPE_UNSPECIFIED');
  });

  it('prefers the more specific runner when two match', () => {
    // Dagger run from inside a GitHub Actions job.
    assert.equal(detectRunner({ ...GITHUB_ACTIONS_ENV, ...DAGGER_ENV }, runnersHere).type, 'DAGGER_PIPELINE');
    // TeamCity and Jenkins both use BUILD_URL; a TeamCity agent with a JENKINS_HOME left over is still TeamCity.
    assert.equal(
      detectRunner({ ...TEAMCITY_ENV, JENKINS_HOME: '/opt/jenkins' }, runnersHere).type,
      'TEAMCITY_PIPELINE',
    );
    // A Tekton step that happens to carry GitHub-like variables.
    assert.equal(
      detectRunner({ ...TEKTON_ENV, ...GITHUB_ACTIONS_ENV }, withTekton(tektonHere)).type,
      'TEKTON_PIPELINE',
    );
  });
});
