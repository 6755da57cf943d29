import { allSet, envValue, optional, required } from './env-value';
import type { Runner } from './runner';

/** Optional merge-request variables, shared with the Dagger runner. */
export const GITLAB_MR_VARS = [
  'CI_PIPELINE_SOURCE',
  'CI_MERGE_REQUEST_IID',
  'CI_MERGE_REQUEST_TITLE',
  'CI_MERGE_REQUEST_DESCRIPTION',
  'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME',
  'CI_MERGE_REQUEST_TARGET_BRANCH_NAME',
  'CI_MERGE_REQUEST_PROJECT_URL',
  'CI_MERGE_REQUEST_PROJECT_PATH',
];

export const gitlabCi: Runner = {
  type: 'GITLAB_PIPELINE',
  displayName: 'GitLab CI',
  detect: (env) => allSet(env, 'GITLAB_CI', 'CI_JOB_URL'),
  envVars: () => [
    ...required(
      'GITLAB_USER_EMAIL',
      'GITLAB_USER_LOGIN',
      'CI_SERVER_URL',
      'CI_PROJECT_URL',
      'CI_COMMIT_SHA',
      'CI_JOB_URL',
      'CI_PIPELINE_URL',
      'CI_RUNNER_VERSION',
      'CI_COMMIT_REF_NAME',
      'CI_PROJECT_PATH',
    ),
    ...optional('CI_RUNNER_DESCRIPTION', ...GITLAB_MR_VARS),
  ],
  runUrl: (env) => envValue(env, 'CI_JOB_URL'),
  // GitLab only tells the runner environment inside its OIDC token (claim runner_environment).
  environment: () => 'unknown',
};
