import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { componentRoot } from './component-project';

export const gitlabCiLocalBin = join(componentRoot, '..', '..', 'node_modules', '.bin', 'gitlab-ci-local');

/**
 * What the GitLab runner context requires but gitlab-ci-local 4.73.0 does not set. In shell mode it sets (checked
 * with `env` in a job): CI=true, GITLAB_CI=false (overridden here), CI_JOB_ID/NAME/STAGE/URL, CI_JOB_STATUS
 * (running, then success|failed in after_script), CI_PIPELINE_ID/IID/URL/SOURCE=push, CI_PROJECT_DIR/ID/NAME/
 * NAMESPACE/PATH/URL (from the `origin` remote), CI_SERVER_URL/FQDN/HOST/PORT/PROTOCOL, CI_API_V4_URL,
 * CI_COMMIT_SHA/SHORT_SHA/BRANCH/REF_NAME/REF_SLUG/TITLE/MESSAGE/TIMESTAMP, CI_DEFAULT_BRANCH, CI_REGISTRY*,
 * CI_NODE_TOTAL, and GITLAB_USER_EMAIL/LOGIN/NAME/ID from git config. Not set: CI_RUNNER_VERSION,
 * CI_RUNNER_DESCRIPTION, CI_RUNNER_ID, CI_JOB_TOKEN, CI_SERVER_VERSION.
 */
export const RUNNER_VARIABLES: Record<string, string> = {
  CI_RUNNER_VERSION: '17.5.0',
  CI_RUNNER_DESCRIPTION: 'shared-runner-1',
};

/** The pipeline's user, as git config in the throwaway HOME: gitlab-ci-local turns it into GITLAB_USER_*. */
export const GIT_USER = { name: 'Dev Eloper', email: 'dev@example.com' };

export interface GitlabCiLocalRun {
  status: number | null;
  /** Everything gitlab-ci-local printed (stdout and stderr, in order). */
  output: string;
  /** The command line it was started with. */
  argv: string[];
}

export interface GitlabCiLocalOptions {
  cwd: string;
  /** Plain `--variable` values (never secrets: those would show on the command line). */
  variables?: Record<string, string>;
  /**
   * Secrets, as a GitLab project's masked CI/CD variables: written to the throwaway HOME's
   * ~/.gitlab-ci-local/variables.yml, so they reach jobs without appearing on any command line.
   */
  secrets?: Record<string, string>;
  /** Secrets kept as GitLab File variables: the job sees the path of a file holding the value. */
  fileSecrets?: Record<string, string>;
  /** Extra arguments: job names, --input, --list, … */
  args?: string[];
  /** Directories put first on the jobs' PATH (stand-ins for tools a runner image would have). */
  path?: string[];
}

/**
 * Runs gitlab-ci-local in shell mode with a clean environment (only PATH and a throwaway HOME: the host's
 * environment would otherwise leak into jobs) and GITLAB_CI=true (it sets false on its own).
 */
export function runGitlabCiLocal(options: GitlabCiLocalOptions): Promise<GitlabCiLocalRun> {
  const home = mkdtempSync(join(tmpdir(), 'gcl-home-'));
  writeFileSync(join(home, '.gitconfig'), `[user]\n\tname = ${GIT_USER.name}\n\temail = ${GIT_USER.email}\n`);
  if (options.secrets || options.fileSecrets) {
    mkdirSync(join(home, '.gitlab-ci-local'));
    // Typed explicitly: gitlab-ci-local would make a value that looks like a path a File variable.
    const global = Object.fromEntries([
      ...Object.entries(options.secrets ?? {}).map(([key, value]) => [
        key,
        { type: 'variable', values: { '*': value } },
      ]),
      ...Object.entries(options.fileSecrets ?? {}).map(([key, value]) => [
        key,
        { type: 'file', values: { '*': value } },
      ]),
    ]);
    writeFileSync(join(home, '.gitlab-ci-local', 'variables.yml'), stringify({ global }));
  }
  const argv = [
    '--force-shell-executor',
    '--no-color',
    '--variable',
    'GITLAB_CI=true',
    '--ignore-predefined-vars',
    'GITLAB_CI',
    ...Object.entries(options.variables ?? {}).flatMap(([key, value]) => ['--variable', `${key}=${value}`]),
    ...(options.args ?? []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(gitlabCiLocalBin, argv, {
      cwd: options.cwd,
      env: { PATH: [...(options.path ?? []), process.env.PATH].join(':'), HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ status, output, argv });
    });
  });
}
