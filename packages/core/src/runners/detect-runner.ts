import type { RunnerTypeName } from '../contract/model';
import { azurePipelines } from './azure-pipelines';
import { circleci } from './circleci';
import { dagger } from './dagger';
import { generic } from './generic';
import { githubActions } from './github-actions';
import { gitlabCi } from './gitlab-ci';
import { jenkins } from './jenkins';
import type { Runner } from './runner';
import { teamcity } from './teamcity';
import { tekton } from './tekton';

/**
 * Detection priority, most specific first (see README.md): the first runner whose `detect` is true wins, generic
 * last. Dagger and Tekton run inside other CIs' jobs, and Jenkins' BUILD_URL is also set by TeamCity.
 */
export const RUNNER_DETECTION_PRIORITY: readonly Runner[] = [
  dagger,
  tekton,
  githubActions,
  gitlabCi,
  azurePipelines,
  circleci,
  teamcity,
  jenkins,
];

export function detectRunner(env: NodeJS.ProcessEnv, runners: readonly Runner[] = RUNNER_DETECTION_PRIORITY): Runner {
  return runners.find((runner) => runner.detect(env)) ?? generic;
}

/** The runner implementing a contract's `runner.type`. */
export function runnerForType(type: RunnerTypeName): Runner {
  return RUNNER_DETECTION_PRIORITY.find((runner) => runner.type === type) ?? generic;
}
