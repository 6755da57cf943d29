import type { Runner } from './runner';

/**
 * The pull or merge request a CI run builds, as Chainloop records it in a CHAINLOOP_PR_INFO material: its evidence
 * envelope `{"chainloop.material.evidence.id", schema, data}` around the PR-info 1.3 document (Chainloop's
 * `pkg/prinfo`). Keys are in Chainloop's order; title, description and the branches are always present (empty when the
 * CI does not tell them), author and reviewers only when known, as Go's encoder writes them.
 */
export const PR_INFO_EVIDENCE_ID = 'CHAINLOOP_PR_INFO';
export const PR_INFO_SCHEMA_URL = 'https://schemas.chainloop.dev/prinfo/1.3/pr-info.schema.json';

/** The attestation annotation Chainloop sets when init runs in a pull or merge request. */
export const IS_PULL_REQUEST_ANNOTATION = 'chainloop.dev/is-pull-request';

export type AccountType = 'User' | 'Bot' | 'unknown';

export interface PrInfoData {
  /** PR-info 1.3 knows these two only: the code host, not the CI (a CircleCI build of a GitHub PR is `github`). */
  platform: 'github' | 'gitlab';
  type: 'pull_request' | 'merge_request';
  number: string;
  title: string;
  description: string;
  source_branch: string;
  target_branch: string;
  url: string;
  author?: { login: string; type: AccountType };
  reviewers?: Array<{ login: string; type: AccountType; requested: boolean }>;
}

export interface PrInfoEvidence {
  'chainloop.material.evidence.id': typeof PR_INFO_EVIDENCE_ID;
  schema: typeof PR_INFO_SCHEMA_URL;
  data: PrInfoData;
}

/**
 * What a collector found: no pull request, one, or one PR-info 1.3 cannot describe (a Bitbucket PR built by Jenkins
 * or CircleCI: the schema's platform is github or gitlab), which still marks the attestation as a pull request.
 */
export type PullRequestDetection =
  | { found: false }
  | { found: true; data: PrInfoData }
  | { found: true; data?: undefined; unrepresentable: string };

export const NO_PULL_REQUEST: PullRequestDetection = { found: false };

/** The fields in Chainloop's order, optional ones only when set. */
export function prInfoEvidence(data: PrInfoData): PrInfoEvidence {
  const ordered: PrInfoData = {
    platform: data.platform,
    type: data.type,
    number: data.number,
    title: data.title,
    description: data.description,
    source_branch: data.source_branch,
    target_branch: data.target_branch,
    url: data.url,
  };
  if (data.author) ordered.author = { login: data.author.login, type: data.author.type };
  if (data.reviewers && data.reviewers.length > 0) ordered.reviewers = data.reviewers;
  return { 'chainloop.material.evidence.id': PR_INFO_EVIDENCE_ID, schema: PR_INFO_SCHEMA_URL, data: ordered };
}

/** Chainloop names the material after the request: `pr-metadata-<number>`. */
export function prInfoMaterialName(number: string): string {
  // Numbers are digits on every platform; anything else is folded into a DNS-1123 label, which material names must be.
  const label = number
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `pr-metadata-${label}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * Platform and type from a PR's web URL, for CIs that build PRs of several code hosts (CircleCI, Jenkins): GitLab's
 * merge requests live under `/-/merge_requests/N`, GitHub's (and GitHub Enterprise's) pull requests under `/pull/N`.
 */
export function platformOfUrl(url: string): Pick<PrInfoData, 'platform' | 'type'> | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (/\/merge_requests\/[^/]+\/?$/.test(parsed.pathname)) return { platform: 'gitlab', type: 'merge_request' };
  if (/\/pull\/[^/]+\/?$/.test(parsed.pathname) && !parsed.hostname.includes('bitbucket')) {
    return { platform: 'github', type: 'pull_request' };
  }
  return undefined;
}

/** The pull or merge request this run builds, from the environment and the event payload only (no network). */
export async function detectPullRequest(runner: Runner, env: NodeJS.ProcessEnv): Promise<PullRequestDetection> {
  switch (runner.type) {
    case 'GITHUB_ACTION':
      return (await import('./github-pull-request')).githubPullRequest(env);
    case 'GITLAB_PIPELINE':
      return (await import('./gitlab-merge-request')).gitlabMergeRequest(env);
    case 'CIRCLECI_BUILD':
      return (await import('./circleci-pull-request')).circlePullRequest(env);
    case 'JENKINS_JOB':
      return (await import('./jenkins-change-request')).jenkinsChangeRequest(env);
    case 'DAGGER_PIPELINE': {
      // Dagger runs inside another CI's job and passes its variables through: GitHub first, then GitLab, as Chainloop.
      if (env.GITHUB_EVENT_NAME) return (await import('./github-pull-request')).githubPullRequest(env);
      if (env.CI_PIPELINE_SOURCE) return (await import('./gitlab-merge-request')).gitlabMergeRequest(env);
      return NO_PULL_REQUEST;
    }
    default:
      return NO_PULL_REQUEST;
  }
}
