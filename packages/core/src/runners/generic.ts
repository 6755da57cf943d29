import type { Runner } from './runner';

/** No CI detected: records nothing and pins nothing. */
export const generic: Runner = {
  type: 'RUNNER_TYPE_UNSPECIFIED',
  displayName: 'no CI (generic)',
  detect: () => true,
  envVars: () => [],
  runUrl: () => undefined,
  environment: () => 'unknown',
};
