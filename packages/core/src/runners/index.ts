export { azurePipelines } from './azure-pipelines';
export { circleci } from './circleci';
export { dagger } from './dagger';
export { detectRunner, RUNNER_DETECTION_PRIORITY, runnerForType } from './detect-runner';
export { enforceRunnerType } from './enforce-runner-type';
export { generic } from './generic';
export { githubActions } from './github-actions';
export { gitlabCi } from './gitlab-ci';
export { type DeclaredReport, type DeclaredReports, gitlabDeclaredReports } from './gitlab-declared-reports';
export { jenkins } from './jenkins';
export {
  detectPullRequest,
  IS_PULL_REQUEST_ANNOTATION,
  NO_PULL_REQUEST,
  PR_INFO_EVIDENCE_ID,
  PR_INFO_SCHEMA_URL,
  type PrInfoData,
  type PrInfoEvidence,
  type PullRequestDetection,
  platformOfUrl,
  prInfoEvidence,
  prInfoMaterialName,
} from './pr-info';
export { type ResolvedRunnerEnv, resolveRunnerEnv } from './resolve-runner-env';
export type { Runner, RunnerEnvVar } from './runner';
export { RUNNER_CONTEXT_ID, type RunnerContextDocument, runnerContextDocument } from './runner-context';
export { teamcity } from './teamcity';
export { createTektonRunner, type TektonPaths, tekton } from './tekton';
