/**
 * Recorded environments of CI runs that build a pull or merge request (variable names from each CI's documentation;
 * values made up but shaped like the real ones), on top of the push-build environments of ci-environments.ts.
 */
import { join } from 'node:path';
import { CIRCLECI_ENV, GITHUB_ACTIONS_ENV, GITLAB_CI_ENV, JENKINS_ENV } from './ci-environments';

export const CI_CONTEXT_FIXTURES = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'fixtures',
  'vectors',
  'ci-context',
);
export const GITHUB_EVENT_FILE = join(CI_CONTEXT_FIXTURES, 'github-pull-request-event.json');

/** A `pull_request` run: GitHub checks out the merge ref and writes the event payload to GITHUB_EVENT_PATH. */
export const GITHUB_PULL_REQUEST_ENV = {
  ...GITHUB_ACTIONS_ENV,
  GITHUB_REPOSITORY: 'acme/rocket',
  GITHUB_REPOSITORY_OWNER: 'acme',
  GITHUB_ACTOR: 'sarah-connor',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_EVENT_PATH: GITHUB_EVENT_FILE,
  GITHUB_REF: 'refs/pull/1347/merge',
  GITHUB_REF_NAME: '1347/merge',
  GITHUB_HEAD_REF: 'fix/stage-two-throttle',
  GITHUB_BASE_REF: 'main',
  GITHUB_SHA: '3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b',
};

/** A merge request pipeline (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`). */
export const GITLAB_MERGE_REQUEST_ENV = {
  ...GITLAB_CI_ENV,
  CI_PROJECT_ID: '69340413',
  CI_PROJECT_NAMESPACE: 'acme',
  CI_PROJECT_PATH: 'acme/rocket',
  CI_PROJECT_URL: 'https://gitlab.com/acme/rocket',
  CI_PIPELINE_SOURCE: 'merge_request_event',
  CI_COMMIT_BRANCH: '',
  CI_COMMIT_REF_NAME: 'fix/stage-two-throttle',
  CI_COMMIT_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  CI_MERGE_REQUEST_ID: '301234567',
  CI_MERGE_REQUEST_IID: '88',
  CI_MERGE_REQUEST_TITLE: 'Draft: Throttle the second stage ignition',
  CI_MERGE_REQUEST_DESCRIPTION: 'Closes #80\n\nThe second stage now waits for the pressure check.',
  CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'fix/stage-two-throttle',
  CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
  CI_MERGE_REQUEST_PROJECT_ID: '69340413',
  CI_MERGE_REQUEST_PROJECT_PATH: 'acme/rocket',
  CI_MERGE_REQUEST_PROJECT_URL: 'https://gitlab.com/acme/rocket',
  CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/88/head',
  CI_MERGE_REQUEST_EVENT_TYPE: 'detached',
  CI_MERGE_REQUEST_APPROVED: 'false',
  GITLAB_USER_LOGIN: 'sarah.connor',
  GITLAB_USER_EMAIL: 'sarah@acme.example',
};

/** A CircleCI build of a branch with an open GitHub pull request. */
export const CIRCLECI_PULL_REQUEST_ENV = {
  ...CIRCLECI_ENV,
  CIRCLE_PROJECT_USERNAME: 'acme',
  CIRCLE_PROJECT_REPONAME: 'rocket',
  CIRCLE_REPOSITORY_URL: 'git@github.com:acme/rocket.git',
  CIRCLE_BRANCH: 'fix/stage-two-throttle',
  CIRCLE_SHA1: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  CIRCLE_PULL_REQUEST: 'https://github.com/acme/rocket/pull/1347',
  CIRCLE_PULL_REQUESTS: 'https://github.com/acme/rocket/pull/1347',
  CIRCLE_USERNAME: 'sarah-connor',
};

/** A Jenkins multibranch pipeline building a GitHub pull request (GitHub Branch Source plugin). */
export const JENKINS_CHANGE_ENV = {
  ...JENKINS_ENV,
  JOB_NAME: 'rocket/PR-1347',
  JOB_BASE_NAME: 'PR-1347',
  BUILD_URL: 'http://jenkins.example.com:8080/job/rocket/job/PR-1347/3/',
  BRANCH_NAME: 'PR-1347',
  GIT_URL: 'https://github.com/acme/rocket.git',
  GIT_BRANCH: 'PR-1347',
  GIT_COMMIT: '3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b',
  CHANGE_ID: '1347',
  CHANGE_URL: 'https://github.com/acme/rocket/pull/1347',
  CHANGE_TITLE: 'Throttle the second stage ignition <fix>',
  CHANGE_AUTHOR: 'sarah-connor',
  CHANGE_AUTHOR_DISPLAY_NAME: 'Sarah Connor',
  CHANGE_AUTHOR_EMAIL: 'sarah@acme.example',
  CHANGE_BRANCH: 'fix/stage-two-throttle',
  CHANGE_TARGET: 'main',
  CHANGE_FORK: 'sarah-connor',
};
