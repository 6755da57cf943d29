import { allSet, envValue, optional, required } from './env-value';
import type { Runner } from './runner';

/** Optional pull-request variables, shared with the Dagger runner. */
export const GITHUB_PR_VARS = ['GITHUB_EVENT_NAME', 'GITHUB_HEAD_REF', 'GITHUB_BASE_REF', 'GITHUB_EVENT_PATH'];

export const githubActions: Runner = {
  type: 'GITHUB_ACTION',
  displayName: 'GitHub Actions',
  detect: (env) => allSet(env, 'CI', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ID'),
  envVars: () => [
    ...required(
      'GITHUB_ACTOR',
      'GITHUB_REF',
      'GITHUB_REPOSITORY',
      'GITHUB_REPOSITORY_OWNER',
      'GITHUB_RUN_ID',
      'GITHUB_SHA',
      'RUNNER_NAME',
      'RUNNER_OS',
    ),
    ...optional(...GITHUB_PR_VARS),
  ],
  runUrl(env) {
    const repository = envValue(env, 'GITHUB_REPOSITORY');
    const runId = envValue(env, 'GITHUB_RUN_ID');
    if (repository === undefined || runId === undefined) return undefined;
    // GitHub Enterprise Server sets its own server URL; the original hard-codes github.com.
    const server = (envValue(env, 'GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, '');
    return `${server}/${repository}/actions/runs/${runId}`;
  },
  environment(env) {
    // The original reads the OIDC claim `runner_environment`; GitHub exposes the same value as RUNNER_ENVIRONMENT.
    const value = envValue(env, 'RUNNER_ENVIRONMENT');
    if (value === 'github-hosted') return 'managed';
    if (value === 'self-hosted') return 'self-hosted';
    return 'unknown';
  },
};
