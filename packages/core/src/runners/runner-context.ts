import { envValue } from './env-value';
import type { Runner } from './runner';

/**
 * The CHAINLOOP_RUNNER_CONTEXT document init records in a CI: Chainloop's `runner-context-response-0.1` shape
 * (`{meta: {id, generated_at, errors}, data: {tool, provider, repos: [{owner, repository, branches: [{name,
 * commits}]}]}}`), filled with what the job's environment tells: the code host, the repository, the branch and the
 * commit being built. Chainloop's platform fills the branches' active protection rules from the provider's API; we
 * make no network call at init, so `meta.errors` says they were not collected rather than leaving a policy to read
 * "no rules".
 */
export const RUNNER_CONTEXT_ID = 'chainloop.dev/runner-context/v0.1';
export const RULES_NOT_COLLECTED = 'RULES_NOT_COLLECTED';

export interface RunnerContextDocument {
  meta: { id: typeof RUNNER_CONTEXT_ID; generated_at: string; errors: Array<{ code: string; message: string }> };
  data: {
    tool: string;
    provider: string;
    repos?: Array<{
      owner?: string;
      repository: string;
      branches?: Array<{ name: string; commits?: string[] }>;
    }>;
  };
}

interface RepositoryFacts {
  provider: string;
  owner?: string;
  repository?: string;
  branch?: string;
  commit?: string;
}

export function runnerContextDocument(
  runner: Runner,
  env: NodeJS.ProcessEnv,
  options: { tool: string; now: Date },
): RunnerContextDocument {
  const facts = repositoryFacts(runner, env);
  const data: RunnerContextDocument['data'] = { tool: options.tool, provider: facts.provider };
  if (facts.repository !== undefined) {
    const branches =
      facts.branch === undefined
        ? undefined
        : [{ name: facts.branch, ...(facts.commit !== undefined && { commits: [facts.commit] }) }];
    data.repos = [
      {
        ...(facts.owner !== undefined && { owner: facts.owner }),
        repository: facts.repository,
        ...(branches && { branches }),
      },
    ];
  }
  return {
    // RFC 3339 without milliseconds, as Go's time.RFC3339 writes it.
    meta: {
      id: RUNNER_CONTEXT_ID,
      generated_at: options.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      errors: [
        {
          code: RULES_NOT_COLLECTED,
          message: `branch protection rules and repository users are read from ${facts.provider}'s API, which init does not call`,
        },
      ],
    },
    data,
  };
}

/** Where the repository lives and what the job builds, per CI. */
function repositoryFacts(runner: Runner, env: NodeJS.ProcessEnv): RepositoryFacts {
  const get = (name: string) => envValue(env, name);
  switch (runner.type) {
    case 'GITHUB_ACTION': {
      const [owner, repository] = splitOnce(get('GITHUB_REPOSITORY'));
      // A pull request run's ref is refs/pull/N/merge: the branch it builds is the PR's head.
      const branch = get('GITHUB_HEAD_REF') ?? branchOfRef(get('GITHUB_REF'));
      return {
        provider: 'github',
        owner: get('GITHUB_REPOSITORY_OWNER') ?? owner,
        repository,
        branch,
        commit: get('GITHUB_SHA'),
      };
    }
    case 'GITLAB_PIPELINE':
      // Chainloop's GitLab documents name the repository by project id (e.g. "69340413"), without an owner.
      return {
        provider: 'gitlab',
        repository: get('CI_PROJECT_ID') ?? get('CI_PROJECT_PATH'),
        branch: get('CI_MERGE_REQUEST_SOURCE_BRANCH_NAME') ?? get('CI_COMMIT_BRANCH'),
        commit: get('CI_COMMIT_SHA'),
      };
    case 'CIRCLECI_BUILD':
      return {
        provider: providerOfUrl(get('CIRCLE_REPOSITORY_URL')) ?? 'circleci',
        owner: get('CIRCLE_PROJECT_USERNAME'),
        repository: get('CIRCLE_PROJECT_REPONAME'),
        branch: get('CIRCLE_BRANCH'),
        commit: get('CIRCLE_SHA1'),
      };
    case 'JENKINS_JOB': {
      const [owner, repository] = ownerAndName(get('GIT_URL'));
      return {
        provider: providerOfUrl(get('CHANGE_URL') ?? get('GIT_URL')) ?? 'jenkins',
        owner,
        repository,
        branch: get('CHANGE_BRANCH') ?? get('BRANCH_NAME') ?? branchOfRef(get('GIT_BRANCH')?.replace(/^origin\//, '')),
        commit: get('GIT_COMMIT'),
      };
    }
    case 'AZURE_PIPELINE': {
      const uri = get('BUILD_REPOSITORY_URI');
      const [owner, repository] = splitOnce(get('BUILD_REPOSITORY_NAME'));
      return {
        provider: providerOfUrl(uri) ?? 'azure-devops',
        owner: repository === undefined ? undefined : owner,
        repository: repository ?? owner,
        branch: branchOfRef(get('BUILD_SOURCEBRANCH')),
        commit: get('BUILD_SOURCEVERSION'),
      };
    }
    default:
      return { provider: runner.type.toLowerCase() };
  }
}

function splitOnce(value: string | undefined): [string | undefined, string | undefined] {
  if (value === undefined) return [undefined, undefined];
  const index = value.indexOf('/');
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}

/** `refs/heads/main` → `main`; a tag or a PR's merge ref is not a branch. */
function branchOfRef(ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  return ref.startsWith('refs/') ? undefined : ref;
}

/** `https://github.com/acme/rocket.git` or `git@github.com:acme/rocket.git` → `['acme', 'rocket']`. */
function ownerAndName(url: string | undefined): [string | undefined, string | undefined] {
  const path = url
    ?.replace(/^[a-z+]+:\/\/[^/]+\//i, '')
    .replace(/^[^@/]+@[^:]+:/, '')
    .replace(/\.git$/, '');
  if (path === undefined || path === url) return [undefined, undefined];
  const index = path.lastIndexOf('/');
  return index < 0 ? [undefined, path] : [path.slice(0, index), path.slice(index + 1)];
}

function providerOfUrl(url: string | undefined): string | undefined {
  const host = url?.match(/^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)/i)?.[1]?.toLowerCase();
  if (host === undefined) return undefined;
  for (const provider of ['github', 'gitlab', 'bitbucket']) if (host.includes(provider)) return provider;
  if (host.endsWith('dev.azure.com') || host.endsWith('visualstudio.com')) return 'azure-devops';
  return undefined;
}
