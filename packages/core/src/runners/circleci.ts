import { envValue, required } from './env-value';
import type { Runner } from './runner';

export const circleci: Runner = {
  type: 'CIRCLECI_BUILD',
  displayName: 'CircleCI',
  // The original compares the exact string "true" for both.
  detect: (env) => env.CI === 'true' && env.CIRCLECI === 'true',
  envVars: () => required('CIRCLE_BUILD_URL', 'CIRCLE_JOB', 'CIRCLE_BRANCH', 'CIRCLE_NODE_TOTAL', 'CIRCLE_NODE_INDEX'),
  runUrl: (env) => envValue(env, 'CIRCLE_BUILD_URL'),
  environment: () => 'unknown',
};
