import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const componentRoot = join(import.meta.dirname, '..', '..');
export const templatesDir = join(componentRoot, 'templates');

/** The GitLab project the throwaway repo pretends to be: gitlab-ci-local derives CI_PROJECT_PATH etc. from it. */
export const PROJECT = { host: 'gitlab.example.com', path: 'acme/chainloop-components' };

export interface ComponentProject {
  dir: string;
  /** HEAD commit, which gitlab-ci-local reports as CI_COMMIT_SHA. */
  sha: string;
  remove(): void;
}

/**
 * A throwaway git repo that IS the component project (templates/ and README.md copied in) plus the files a test
 * pipeline needs (`*.sh` executable), committed, with an `origin` remote so that `$CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA`
 * resolves to its own templates (gitlab-ci-local treats that include as local).
 */
export function createComponentProject(files: Record<string, string>): ComponentProject {
  const dir = mkdtempSync(join(tmpdir(), 'gitlab-component-'));
  cpSync(templatesDir, join(dir, 'templates'), { recursive: true });
  cpSync(join(componentRoot, 'README.md'), join(dir, 'README.md'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    if (path.endsWith('.sh')) chmodSync(join(dir, path), 0o755);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `git@${PROJECT.host}:${PROJECT.path}.git`);
  git('add', '-A');
  git('-c', 'user.email=dev@example.com', '-c', 'user.name=Dev', 'commit', '-qm', 'component under test');
  // A remote default branch, so gitlab-ci-local does not warn that it cannot find one.
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  const sha = git('rev-parse', 'HEAD');
  return { dir, sha, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
