import { envValue, optional, required } from './env-value';
import type { Runner } from './runner';

export const teamcity: Runner = {
  type: 'TEAMCITY_PIPELINE',
  displayName: 'TeamCity',
  detect: (env) => envValue(env, 'TEAMCITY_PROJECT_NAME') !== undefined,
  envVars: () => [
    ...required('BUILD_URL', 'TEAMCITY_PROJECT_NAME'),
    ...optional('TEAMCITY_VERSION', 'BUILD_NUMBER', 'USER', 'TEAMCITY_GIT_VERSION', 'BUILD_VCS_NUMBER', 'HOME'),
  ],
  runUrl: (env) => envValue(env, 'BUILD_URL'),
  environment: () => 'unknown',
};
