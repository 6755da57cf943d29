import type { RunnerTypeName } from '../contract/model';
import { ChainloopError } from '../errors';
import { runnerForType } from './detect-runner';
import type { Runner } from './runner';

/**
 * Fails when the contract pins a CI and this is not it. Callers skip it in dry runs, as the original does.
 */
export function enforceRunnerType(expected: RunnerTypeName | undefined, detected: Runner): void {
  if (expected === undefined || expected === 'RUNNER_TYPE_UNSPECIFIED' || expected === detected.type) return;
  const wanted = runnerForType(expected);
  const found =
    detected.type === 'RUNNER_TYPE_UNSPECIFIED'
      ? 'no CI was detected'
      : `this is ${detected.displayName} (${detected.type})`;
  throw new ChainloopError(
    'RUNNER_MISMATCH',
    `the contract requires runner ${wanted.displayName} (${expected}) but ${found}; run the workflow in ${wanted.displayName} or use --dry-run`,
    { graceful: true },
  );
}
