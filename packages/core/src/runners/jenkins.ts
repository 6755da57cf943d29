import { allSet, envValue, optional, required } from './env-value';
import type { Runner } from './runner';

export const jenkins: Runner = {
  type: 'JENKINS_JOB',
  displayName: 'Jenkins',
  detect: (env) => allSet(env, 'JENKINS_HOME', 'BUILD_URL'),
  envVars: () => [
    ...required('JOB_NAME', 'BUILD_URL', 'WORKSPACE', 'NODE_NAME'),
    ...optional('GIT_BRANCH', 'GIT_COMMIT', 'AGENT_WORKDIR'),
  ],
  runUrl: (env) => envValue(env, 'BUILD_URL'),
  environment: () => 'unknown',
};
