/**
 * The GitLab catalog project exactly as the release ships it (release/trees/gitlab-component), made its own git
 * repository, runs its own pipeline under gitlab-ci-local: it includes its components as
 * `$CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA`, they resolve at that commit and validate their inputs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT } from '../../packages/gitlab-component/test/support/component-project';
import { runGitlabCiLocal } from '../../packages/gitlab-component/test/support/gitlab-ci-local';
import { makeRelease } from '../support/release';

const scratch = mkdtempSync(join(tmpdir(), 'gitlab-catalog-tree-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the released catalog tree, as its own project, runs its pipeline including itself at its commit', {
  timeout: 300_000,
}, async () => {
  const release = makeRelease();
  const project = join(scratch, 'gitlab-component');
  cpSync(join(release.dir, 'trees', 'gitlab-component'), project, { recursive: true });
  assert.deepEqual(readdirSync(project).sort(), ['.gitlab-ci.yml', 'README.md', 'templates']);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: project,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: project, GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `git@${PROJECT.host}:${PROJECT.path}.git`);
  git('add', '-A');
  git(
    '-c',
    'user.email=maintainer@example.com',
    '-c',
    'user.name=Maintainer',
    'commit',
    '-qm',
    `release ${release.version}`,
  );
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  const sha = git('rev-parse', 'HEAD');

  const run = await runGitlabCiLocal({ cwd: project });
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, new RegExp(`attest-pipeline and attest-job resolved at ${sha}`));
  const listed = await runGitlabCiLocal({ cwd: project, args: ['--list-json'] });
  const jobs = JSON.parse(listed.output.slice(listed.output.indexOf('['))) as Array<{ name: string; when: string }>;
  // The included components' jobs exist (resolved from this tree at this commit), and are never run without a control plane.
  const names = jobs.map((job) => job.name).sort();
  for (const name of [
    'selftest-init',
    'selftest-push',
    'selftest-reset',
    'selftest-job',
    'components-resolve',
    'release',
  ]) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
  // A broken tree (a component missing) fails the same pipeline: the include really resolves to this tree.
  rmSync(join(project, 'templates', 'attest-job.yml'));
  git('add', '-A');
  git('-c', 'user.email=maintainer@example.com', '-c', 'user.name=Maintainer', 'commit', '-qm', 'lose a component');
  const broken = await runGitlabCiLocal({ cwd: project });
  assert.notEqual(broken.status, 0, 'a pipeline including a missing component must fail');
});
