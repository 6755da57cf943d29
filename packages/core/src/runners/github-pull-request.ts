import { readFile } from 'node:fs/promises';
import { ChainloopError } from '../errors';
import { envValue } from './env-value';
import { type AccountType, NO_PULL_REQUEST, type PullRequestDetection } from './pr-info';

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/**
 * A GitHub Actions run of a `pull_request` or `pull_request_target` event: the PR is the event payload's
 * `pull_request` (the file GITHUB_EVENT_PATH names, written by the runner). Chainloop also asks the API for the
 * reviews; we make no network call, so reviewers are the ones the payload lists as requested.
 */
export async function githubPullRequest(env: NodeJS.ProcessEnv): Promise<PullRequestDetection> {
  const event = envValue(env, 'GITHUB_EVENT_NAME');
  if (event === undefined || !PULL_REQUEST_EVENTS.includes(event)) return NO_PULL_REQUEST;
  const path = envValue(env, 'GITHUB_EVENT_PATH');
  if (path === undefined) throw payloadError(`GITHUB_EVENT_NAME is ${event} but GITHUB_EVENT_PATH is not set`);
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw payloadError(`the event payload ${path} cannot be read as JSON (${(error as Error).message})`, error);
  }
  const pr = field(payload, 'pull_request');
  const number = field(pr, 'number');
  const url = field(pr, 'html_url');
  if (typeof number !== 'number' || typeof url !== 'string') {
    throw payloadError(`the event payload ${path} has no pull_request with a number and an html_url`);
  }
  const user = field(pr, 'user');
  const login = field(user, 'login');
  const requested = field(pr, 'requested_reviewers');
  const reviewers = (Array.isArray(requested) ? requested : [])
    .filter((reviewer) => typeof field(reviewer, 'login') === 'string')
    .map((reviewer) => ({
      login: field(reviewer, 'login') as string,
      type: accountType(field(reviewer, 'type')),
      requested: true,
    }));
  return {
    found: true,
    data: {
      platform: 'github',
      type: 'pull_request',
      number: String(number),
      title: text(field(pr, 'title')),
      description: text(field(pr, 'body')),
      // Chainloop reads the branches from the runner's variables; the payload has the same refs when they are unset.
      source_branch: envValue(env, 'GITHUB_HEAD_REF') ?? text(field(field(pr, 'head'), 'ref')),
      target_branch: envValue(env, 'GITHUB_BASE_REF') ?? text(field(field(pr, 'base'), 'ref')),
      url,
      ...(typeof login === 'string' && login !== '' && { author: { login, type: accountType(field(user, 'type')) } }),
      ...(reviewers.length > 0 && { reviewers }),
    },
  };
}

function payloadError(reason: string, cause?: unknown): ChainloopError {
  return new ChainloopError('PR_INFO_UNAVAILABLE', `pull request info: ${reason}`, { cause });
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** A PR without a body has `"body": null` in the payload; Chainloop records an empty string. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** GitHub's account types are User, Bot and Organization (and Mannequin); PR-info 1.3 knows User, Bot, unknown. */
function accountType(value: unknown): AccountType {
  return value === 'User' || value === 'Bot' ? value : 'unknown';
}
