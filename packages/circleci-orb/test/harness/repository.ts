import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pipeline } from './circleci-env';

const projectFixture = join(import.meta.dirname, '..', 'fixtures', 'project');

/**
 * A git repository with a small Node project (fixtures/project) committed on `main`: what the `checkout` step
 * clones, so the examples' build and test commands (git archive, node --test) run as they would on CircleCI.
 */
export function createRepository(dir: string): Pipeline {
  cpSync(projectFixture, dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dirname(dir),
        GIT_AUTHOR_NAME: 'Dev',
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: 'Dev',
        GIT_COMMITTER_EMAIL: 'dev@example.com',
      },
    }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('add', '.');
  git('commit', '--quiet', '-m', 'skynet: first commit');
  return {
    sha: git('rev-parse', 'HEAD'),
    branch: 'main',
    organization: 'cyberdyne',
    repository: 'skynet',
    repositoryPath: dir,
    number: 7,
  };
}
