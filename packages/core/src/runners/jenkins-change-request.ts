import { envValue } from './env-value';
import { NO_PULL_REQUEST, type PullRequestDetection, platformOfUrl } from './pr-info';

/**
 * A Jenkins multibranch build of a change request: the branch source plugins set CHANGE_ID (the number), CHANGE_URL,
 * CHANGE_TITLE, CHANGE_AUTHOR, CHANGE_BRANCH (source) and CHANGE_TARGET. The code host is read from CHANGE_URL: a
 * Bitbucket pull request has no PR-info 1.3 platform.
 */
export function jenkinsChangeRequest(env: NodeJS.ProcessEnv): PullRequestDetection {
  const id = envValue(env, 'CHANGE_ID');
  if (id === undefined) return NO_PULL_REQUEST;
  const url = envValue(env, 'CHANGE_URL');
  const host = url === undefined ? undefined : platformOfUrl(url);
  if (url === undefined || host === undefined) {
    return {
      found: true,
      unrepresentable: `change ${id} (${url ?? 'no CHANGE_URL'}) is not a GitHub pull request or a GitLab merge request`,
    };
  }
  const login = envValue(env, 'CHANGE_AUTHOR');
  return {
    found: true,
    data: {
      ...host,
      number: id,
      title: envValue(env, 'CHANGE_TITLE') ?? '',
      description: '',
      source_branch: envValue(env, 'CHANGE_BRANCH') ?? '',
      target_branch: envValue(env, 'CHANGE_TARGET') ?? '',
      url,
      ...(login !== undefined && { author: { login, type: 'unknown' as const } }),
    },
  };
}
