import { envValue } from './env-value';
import { NO_PULL_REQUEST, type PullRequestDetection, platformOfUrl } from './pr-info';

/**
 * A CircleCI build of a pull request: CIRCLE_PULL_REQUEST is the PR's URL (the first of CIRCLE_PULL_REQUESTS when a
 * branch has several), its last path segment the number. CircleCI tells the source branch (CIRCLE_BRANCH) and, for a
 * fork's PR, its author (CIRCLE_PR_USERNAME); not the title or the target branch, which stay empty.
 */
export function circlePullRequest(env: NodeJS.ProcessEnv): PullRequestDetection {
  const url = envValue(env, 'CIRCLE_PULL_REQUEST') ?? envValue(env, 'CIRCLE_PULL_REQUESTS')?.split(',')[0]?.trim();
  if (url === undefined || url === '') return NO_PULL_REQUEST;
  const number = envValue(env, 'CIRCLE_PR_NUMBER') ?? url.replace(/\/+$/, '').split('/').pop() ?? '';
  const host = platformOfUrl(url);
  if (host === undefined || !/^\d+$/.test(number)) {
    return { found: true, unrepresentable: `${url} is not a GitHub pull request or a GitLab merge request URL` };
  }
  // CIRCLE_USERNAME is who triggered the build: for a PR from the same repository, the PR's pusher.
  const login = envValue(env, 'CIRCLE_PR_USERNAME') ?? envValue(env, 'CIRCLE_USERNAME');
  return {
    found: true,
    data: {
      ...host,
      number,
      title: '',
      description: '',
      source_branch: envValue(env, 'CIRCLE_BRANCH') ?? '',
      target_branch: '',
      url,
      ...(login !== undefined && { author: { login, type: 'unknown' as const } }),
    },
  };
}
