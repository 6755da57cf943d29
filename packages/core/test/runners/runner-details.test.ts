import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import {
  azurePipelines,
  createTektonRunner,
  dagger,
  enforceRunnerType,
  generic,
  githubActions,
  gitlabCi,
  jenkins,
  RUNNER_DETECTION_PRIORITY,
  resolveRunnerEnv,
} from '@chainloop-ts/core/runners';
import { AZURE_PIPELINES_ENV, GITHUB_ACTIONS_ENV, GITLAB_CI_ENV, JENKINS_ENV } from './ci-environments';

describe('GitHub Actions', () => {
  it('records the required variables and the non-empty optional ones only', () => {
    const { values, missing } = resolveRunnerEnv(githubActions, GITHUB_ACTIONS_ENV);
    assert.deepEqual(missing, []);
    assert.deepEqual(Object.keys(values).sort(), [
      'GITHUB_ACTOR',
      'GITHUB_EVENT_NAME',
      'GITHUB_EVENT_PATH',
      'GITHUB_REF',
      'GITHUB_REPOSITORY',
      'GITHUB_REPOSITORY_OWNER',
      'GITHUB_RUN_ID',
      'GITHUB_SHA',
      'RUNNER_NAME',
      'RUNNER_OS',
    ]);
    assert.equal(values.GITHUB_SHA, '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c');
  });

  it('lists missing and empty required variables', () => {
    const env: NodeJS.ProcessEnv = { ...GITHUB_ACTIONS_ENV, RUNNER_OS: '' };
    delete env.GITHUB_SHA;
    assert.deepEqual(resolveRunnerEnv(githubActions, env).missing, ['GITHUB_SHA', 'RUNNER_OS']);
  });

  it('builds the run URL on GITHUB_SERVER_URL (Enterprise Server), github.com by default', () => {
    assert.equal(
      githubActions.runUrl({ ...GITHUB_ACTIONS_ENV, GITHUB_SERVER_URL: 'https://ghes.example.com/' }),
      'https://ghes.example.com/chainloop/chainloop/actions/runs/123',
    );
    const env: NodeJS.ProcessEnv = { ...GITHUB_ACTIONS_ENV };
    delete env.GITHUB_SERVER_URL;
    assert.equal(githubActions.runUrl(env), 'https://github.com/chainloop/chainloop/actions/runs/123');
    assert.equal(githubActions.runUrl({ ...GITHUB_ACTIONS_ENV, GITHUB_RUN_ID: '' }), undefined);
  });

  it('tells managed from self-hosted runners', () => {
    assert.equal(githubActions.environment(GITHUB_ACTIONS_ENV), 'managed');
    assert.equal(
      githubActions.environment({ ...GITHUB_ACTIONS_ENV, RUNNER_ENVIRONMENT: 'self-hosted' }),
      'self-hosted',
    );
    assert.equal(githubActions.environment({}), 'unknown');
  });
});

describe('other runners', () => {
  it('GitLab records the merge request variables only when set', () => {
    const mr = { ...GITLAB_CI_ENV, CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '7' };
    const { values } = resolveRunnerEnv(gitlabCi, mr);
    assert.equal(values.CI_MERGE_REQUEST_IID, '7');
    assert.equal(values.CI_MERGE_REQUEST_TITLE, undefined);
    assert.equal(values.CI_JOB_TOKEN, undefined, 'the job token is never recorded');
  });

  it('Jenkins needs the agent workspace', () => {
    const env: NodeJS.ProcessEnv = { ...JENKINS_ENV };
    delete env.WORKSPACE;
    assert.deepEqual(resolveRunnerEnv(jenkins, env).missing, ['WORKSPACE']);
  });

  it('Azure escapes the project name and has no URL without a server', () => {
    assert.equal(
      azurePipelines.runUrl({ ...AZURE_PIPELINES_ENV, SYSTEM_TEAMPROJECT: 'My Project' }),
      'https://dev.azure.com/chainloop-test/My%20Project/_build/results?buildId=6&j=12f1170f-54f2-53f3-20dd-22fc7dff55f9&view=logs',
    );
    assert.equal(azurePipelines.runUrl({ ...AZURE_PIPELINES_ENV, SYSTEM_TEAMFOUNDATIONSERVERURI: '' }), undefined);
  });

  it('Dagger records the GitHub pull request variables of the CI it runs in', () => {
    const { values } = resolveRunnerEnv(dagger, {
      CHAINLOOP_DAGGER_CLIENT: 'v0.20.1',
      GITHUB_EVENT_NAME: 'pull_request',
    });
    assert.deepEqual(values, { CHAINLOOP_DAGGER_CLIENT: 'v0.20.1', GITHUB_EVENT_NAME: 'pull_request' });
  });
});

describe('Tekton', () => {
  const root = mkdtempSync(join(tmpdir(), 'tekton-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'namespace'), 'ci-builds\n');
  const tekton = createTektonRunner({ resultsDir: root, namespaceFile: join(root, 'namespace') });

  it('derives the TaskRun from the pod hostname and the namespace from the service account', () => {
    const env = { HOSTNAME: 'build-run-x7k2q-build-pod-retry2' };
    assert.deepEqual(resolveRunnerEnv(tekton, env), {
      values: {
        HOSTNAME: 'build-run-x7k2q-build-pod-retry2',
        TEKTON_TASKRUN_NAME: 'build-run-x7k2q-build',
        TEKTON_NAMESPACE: 'ci-builds',
      },
      missing: [],
    });
    assert.equal(tekton.runUrl(env), 'tekton://ci-builds/taskruns/build-run-x7k2q-build');
  });

  it('links to the dashboard when one is configured', () => {
    const env = {
      HOSTNAME: 'x-pod',
      TEKTON_PIPELINERUN_NAME: 'release-42',
      TEKTON_DASHBOARD_URL: 'https://tekton.example.com/',
    };
    assert.equal(tekton.runUrl(env), 'https://tekton.example.com/#/namespaces/ci-builds/pipelineruns/release-42');
  });

  it('reports missing required values without a namespace mount or hostname', () => {
    const bare = createTektonRunner({ resultsDir: root, namespaceFile: join(root, 'absent') });
    assert.deepEqual(resolveRunnerEnv(bare, {}).missing, ['TEKTON_TASKRUN_NAME', 'TEKTON_NAMESPACE']);
  });

  it('tells managed clusters from self-hosted ones', () => {
    assert.equal(tekton.environment({ GOOGLE_CLOUD_PROJECT: 'p', KUBERNETES_SERVICE_HOST: '10.0.0.1' }), 'managed');
    assert.equal(tekton.environment({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }), 'self-hosted');
  });
});

describe('enforceRunnerType', () => {
  it('passes when nothing is pinned or the CI matches, and only then', () => {
    const everyRunner = [...RUNNER_DETECTION_PRIORITY, generic];
    assert.equal(everyRunner.length, 9);
    for (const detected of everyRunner) {
      assert.doesNotThrow(() => enforceRunnerType(undefined, detected), `nothing pinned, on ${detected.type}`);
      assert.doesNotThrow(
        () => enforceRunnerType('RUNNER_TYPE_UNSPECIFIED', detected),
        `unspecified, ${detected.type}`,
      );
      for (const pinned of RUNNER_DETECTION_PRIORITY) {
        const check = () => enforceRunnerType(pinned.type, detected);
        if (pinned.type === detected.type) assert.doesNotThrow(check, `${pinned.type} pinned and detected`);
        else assert.throws(check, { code: 'RUNNER_MISMATCH' }, `${pinned.type} pinned, ${detected.type} detected`);
      }
    }
  });

  it('names the expected CI, what was detected and the fix', () => {
    assert.throws(
      () => enforceRunnerType('GITHUB_ACTION', jenkins),
      (error: unknown) =>
        error instanceof ChainloopError &&
        error.code === 'RUNNER_MISMATCH' &&
        error.message ===
          'the contract requires runner GitHub Actions (GITHUB_ACTION) but this is Jenkins (JENKINS_JOB); run the workflow in GitHub Actions or use --dry-run',
    );
    assert.throws(
      () => enforceRunnerType('GITLAB_PIPELINE', generic),
      /requires runner GitLab CI \(GITLAB_PIPELINE\) but no CI was detected; run the workflow in GitLab CI or use --dry-run/,
    );
  });
});
