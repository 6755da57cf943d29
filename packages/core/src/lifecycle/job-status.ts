import { UsageError } from '../errors';

/** The CIs whose job-status words the lifecycle understands. */
export const CI_NAMES = ['gitlab', 'jenkins', 'circleci', 'github', 'generic'] as const;
export type CiName = (typeof CI_NAMES)[number];

export type FinishAction = { action: 'push' } | { action: 'reset'; trigger: 'failure' | 'cancellation' };

export interface JobStatusOptions {
  /**
   * What Jenkins' UNSTABLE (the build ran, tests failed) means. Default `failure`, the same as Jenkins' own
   * `post { success }` which does not run for UNSTABLE builds; `push` attests unstable builds too.
   */
  unstableAs?: 'push' | 'failure';
}

const PUSH: FinishAction = { action: 'push' };
const FAILURE: FinishAction = { action: 'reset', trigger: 'failure' };
const CANCELLATION: FinishAction = { action: 'reset', trigger: 'cancellation' };

/** Each CI's own status vocabulary, mapped once (GitLab CI_JOB_STATUS, Jenkins results, CircleCI, GitHub job.status). */
const VOCABULARY: Record<CiName, Record<string, FinishAction | 'unstable'>> = {
  gitlab: { success: PUSH, failed: FAILURE, canceled: CANCELLATION, canceling: CANCELLATION },
  jenkins: { SUCCESS: PUSH, FAILURE: FAILURE, ABORTED: CANCELLATION, NOT_BUILT: CANCELLATION, UNSTABLE: 'unstable' },
  // CircleCI tells a step only whether the job has failed so far (`when: on_fail`); cancelled jobs run no step.
  circleci: { success: PUSH, failed: FAILURE, failure: FAILURE },
  github: { success: PUSH, failure: FAILURE, cancelled: CANCELLATION },
  generic: { success: PUSH, failure: FAILURE, cancellation: CANCELLATION },
};

export function finishActionFor(ci: CiName, status: string, options: JobStatusOptions = {}): FinishAction {
  const words = VOCABULARY[ci];
  if (!words) {
    throw new UsageError('CI_UNKNOWN', `--ci "${ci}" is not known: use one of ${CI_NAMES.join(', ')}`);
  }
  const found = words[status];
  if (!found) {
    throw new UsageError(
      'JOB_STATUS_UNKNOWN',
      `job status "${status}" is not a ${ci} status: use one of ${Object.keys(words).join(', ')}`,
    );
  }
  if (found === 'unstable') return options.unstableAs === 'push' ? PUSH : FAILURE;
  return found;
}

export function checkCiName(ci: string): CiName {
  if (!(CI_NAMES as readonly string[]).includes(ci)) {
    throw new UsageError('CI_UNKNOWN', `--ci "${ci}" is not known: use one of ${CI_NAMES.join(', ')}`);
  }
  return ci as CiName;
}
