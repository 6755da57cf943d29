/**
 * Environments as each CI sets them for a job (names from the CIs' documentation and the original's runner tests;
 * values made up but shaped like the real ones). Every one carries the common `CI=true` and an ordinary shell's
 * variables, so detection must rely on the CI-specific ones.
 */
const shell = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/home/runner', LANG: 'C.UTF-8', CI: 'true' };

export const GITHUB_ACTIONS_ENV = {
  ...shell,
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'octocat',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_REPOSITORY: 'chainloop/chainloop',
  GITHUB_REPOSITORY_OWNER: 'chainloop',
  GITHUB_RUN_ID: '123',
  GITHUB_RUN_NUMBER: '42',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_WORKFLOW: 'release',
  GITHUB_WORKFLOW_REF: 'chainloop/chainloop/.github/workflows/release.yml@refs/heads/main',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
  GITHUB_WORKSPACE: '/home/runner/work/chainloop/chainloop',
  GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
  GITHUB_HEAD_REF: '',
  GITHUB_BASE_REF: '',
  RUNNER_NAME: 'GitHub Actions 2',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  RUNNER_ENVIRONMENT: 'github-hosted',
  RUNNER_TEMP: '/home/runner/work/_temp',
};

export const GITLAB_CI_ENV = {
  ...shell,
  GITLAB_CI: 'true',
  CI_SERVER: 'yes',
  CI_SERVER_URL: 'https://gitlab.com',
  CI_SERVER_HOST: 'gitlab.com',
  CI_SERVER_FQDN: 'gitlab.com',
  CI_PROJECT_URL: 'https://gitlab.com/chainloop/chainloop',
  CI_PROJECT_PATH: 'chainloop/chainloop',
  CI_PROJECT_NAME: 'chainloop',
  CI_COMMIT_SHA: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_BRANCH: 'main',
  CI_JOB_ID: '123',
  CI_JOB_NAME: 'attest',
  CI_JOB_URL: 'https://gitlab.com/chainloop/chainloop/-/jobs/123',
  CI_PIPELINE_ID: '77',
  CI_PIPELINE_URL: 'https://gitlab.com/chainloop/chainloop/-/pipelines/77',
  CI_PIPELINE_SOURCE: 'push',
  CI_RUNNER_VERSION: '17.5.0',
  CI_RUNNER_DESCRIPTION: 'green-4.saas-linux-small-amd64.runners-manager.gitlab.com/default',
  GITLAB_USER_EMAIL: 'dev@example.com',
  GITLAB_USER_LOGIN: 'dev',
  CI_JOB_TOKEN: '[MASKED]',
};

export const JENKINS_ENV = {
  ...shell,
  JENKINS_HOME: '/var/jenkins_home',
  JENKINS_URL: 'http://jenkins.example.com:8080/',
  BUILD_URL: 'http://jenkins.example.com:8080/job/chainloop/17/',
  BUILD_NUMBER: '17',
  BUILD_ID: '17',
  BUILD_TAG: 'jenkins-chainloop-17',
  JOB_NAME: 'chainloop',
  JOB_BASE_NAME: 'chainloop',
  JOB_URL: 'http://jenkins.example.com:8080/job/chainloop/',
  NODE_NAME: 'built-in',
  NODE_LABELS: 'built-in',
  EXECUTOR_NUMBER: '0',
  WORKSPACE: '/var/jenkins_home/workspace/chainloop',
  GIT_COMMIT: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  GIT_BRANCH: 'origin/main',
  GIT_URL: 'https://github.com/chainloop/chainloop.git',
};

export const CIRCLECI_ENV = {
  ...shell,
  CIRCLECI: 'true',
  CIRCLE_BUILD_URL: 'https://circleci.com/gh/chainloop/chainloop/123',
  CIRCLE_BUILD_NUM: '123',
  CIRCLE_JOB: 'build',
  CIRCLE_BRANCH: 'main',
  CIRCLE_NODE_TOTAL: '1',
  CIRCLE_NODE_INDEX: '0',
  CIRCLE_SHA1: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  CIRCLE_PROJECT_USERNAME: 'chainloop',
  CIRCLE_PROJECT_REPONAME: 'chainloop',
  CIRCLE_REPOSITORY_URL: 'git@github.com:chainloop/chainloop.git',
  CIRCLE_WORKFLOW_ID: '6e0a5f5c-1c1e-4a4b-9b1e-0f2a3b4c5d6e',
  CIRCLE_WORKING_DIRECTORY: '~/project',
  CIRCLE_USERNAME: 'dev',
};

export const AZURE_PIPELINES_ENV = {
  ...shell,
  TF_BUILD: 'True',
  AGENT_NAME: 'Hosted Agent',
  AGENT_OS: 'Linux',
  BUILD_BUILDID: '6',
  BUILD_BUILDNUMBER: '20240618.1',
  BUILD_BUILDURI: 'vstfs:///Build/Build/6',
  BUILD_REQUESTEDFOR: 'Jane Doe',
  BUILD_REQUESTEDFOREMAIL: 'jane@example.com',
  BUILD_REPOSITORY_URI: 'https://github.com/chainloop/chainloop',
  BUILD_REPOSITORY_NAME: 'chainloop/chainloop',
  BUILD_REASON: 'IndividualCI',
  BUILD_SOURCEVERSION: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  SYSTEM_TEAMFOUNDATIONSERVERURI: 'https://dev.azure.com/chainloop-test/',
  SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/chainloop-test/',
  SYSTEM_TEAMPROJECT: 'chainloop-tests',
  SYSTEM_JOBID: '12f1170f-54f2-53f3-20dd-22fc7dff55f9',
};

export const TEAMCITY_ENV = {
  ...shell,
  TEAMCITY_VERSION: '2024.03 (build 156162)',
  TEAMCITY_PROJECT_NAME: 'chainloop',
  TEAMCITY_BUILDCONF_NAME: 'Build',
  TEAMCITY_GIT_VERSION: '2.43.0',
  BUILD_NUMBER: '42',
  BUILD_URL: 'https://teamcity.example.com/viewLog.html?buildId=42',
  BUILD_VCS_NUMBER: '1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
  USER: 'buildagent',
};

export const DAGGER_ENV = {
  ...shell,
  CHAINLOOP_DAGGER_CLIENT: 'v0.20.1',
  DAGGER_SESSION_PORT: '36387',
};

/** Inside a Tekton step container (the results directory and namespace file are set up by the test). */
export const TEKTON_ENV = {
  ...shell,
  HOME: '/tekton/home',
  HOSTNAME: 'build-and-push-run-x7k2q-build-pod',
  KUBERNETES_SERVICE_HOST: '10.96.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  TEKTON_PIPELINE_NAME: 'build-and-push',
  TEKTON_PIPELINERUN_NAME: 'build-and-push-run-x7k2q',
};
