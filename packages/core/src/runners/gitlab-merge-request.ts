import { ChainloopError } from '../errors';
import { envValue } from './env-value';
import { NO_PULL_REQUEST, type PullRequestDetection } from './pr-info';

/**
 * A GitLab merge request pipeline (`CI_PIPELINE_SOURCE=merge_request_event`, merged-results pipelines included): the
 * `CI_MERGE_REQUEST_*` variables GitLab predefines. The author is the pipeline's user (GITLAB_USER_LOGIN), whose
 * account type the variables do not tell; Chainloop asks the API for it, we make no network call.
 */
export function gitlabMergeRequest(env: NodeJS.ProcessEnv): PullRequestDetection {
  if (envValue(env, 'CI_PIPELINE_SOURCE') !== 'merge_request_event') return NO_PULL_REQUEST;
  const iid = envValue(env, 'CI_MERGE_REQUEST_IID');
  if (iid === undefined) {
    throw new ChainloopError(
      'PR_INFO_UNAVAILABLE',
      'merge request info: CI_PIPELINE_SOURCE is merge_request_event but CI_MERGE_REQUEST_IID is not set',
    );
  }
  const project = envValue(env, 'CI_MERGE_REQUEST_PROJECT_URL') ?? envValue(env, 'CI_PROJECT_URL') ?? '';
  const login = envValue(env, 'GITLAB_USER_LOGIN');
  return {
    found: true,
    data: {
      platform: 'gitlab',
      type: 'merge_request',
      number: iid,
      title: envValue(env, 'CI_MERGE_REQUEST_TITLE') ?? '',
      description: envValue(env, 'CI_MERGE_REQUEST_DESCRIPTION') ?? '',
      source_branch: envValue(env, 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME') ?? '',
      target_branch: envValue(env, 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME') ?? '',
      url: `${project.replace(/\/+$/, '')}/-/merge_requests/${iid}`,
      ...(login !== undefined && { author: { login, type: 'unknown' as const } }),
    },
  };
}
