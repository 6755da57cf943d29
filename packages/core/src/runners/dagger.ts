import { envValue, optional, required } from './env-value';
import { GITHUB_PR_VARS } from './github-actions';
import { GITLAB_MR_VARS } from './gitlab-ci';
import type { Runner } from './runner';

export const dagger: Runner = {
  type: 'DAGGER_PIPELINE',
  displayName: 'Dagger',
  detect: (env) => envValue(env, 'CHAINLOOP_DAGGER_CLIENT') !== undefined,
  envVars: () => [
    ...required('CHAINLOOP_DAGGER_CLIENT'),
    ...optional(...GITHUB_PR_VARS, ...GITLAB_MR_VARS, 'CI_SERVER_URL', 'CI_PROJECT_PATH', 'GITLAB_USER_LOGIN'),
  ],
  runUrl: () => undefined,
  environment: () => 'unknown',
};
