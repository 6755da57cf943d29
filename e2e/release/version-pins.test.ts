/**
 * Every version a user copies (README snippets, template and orb defaults, the Jenkins library's help) comes from
 * lerna.json's one version: a pin that drifts fails here, and the sync script run by `lerna version` rewrites them
 * without touching other tools' versions.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findVersionPins, withVersion } from '../../scripts/release/version-pins';
import { RELEASED_PACKAGES, releaseVersion, VersionSetError } from '../../scripts/release/version-set';
import { repoRoot } from '../support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'version-pins-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('every pin in READMEs and templates is the version set of lerna.json', { timeout: 30_000 }, () => {
  const version = releaseVersion();
  const pins = findVersionPins();
  const drifted = pins.filter((pin) => pin.version !== version);
  assert.deepEqual(
    drifted.map((pin) => `${pin.file}:${pin.line} ${pin.version}`),
    [],
    `pins that are not ${version}`,
  );
  // The scan itself must see the pins users paste, in every adapter.
  const files = new Set(pins.map((pin) => pin.file));
  for (const file of [
    'packages/core/src/version.ts',
    'docs/ci-adapters.md',
    'packages/gitlab-component/README.md',
    'packages/gitlab-component/templates/attest-job.yml',
    'packages/circleci-orb/README.md',
    'packages/circleci-orb/src/commands/install.yml',
    'packages/jenkins-step/README.md',
    'packages/github-action/README.md',
  ]) {
    assert.ok(files.has(file), `no version pin found in ${file}`);
  }
  const check = spawnSync('npm', ['run', '--silent', 'sync-version-pins', '--', '--check'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stderr);
});

/** A throwaway repository with the version set and one README, to drift on purpose. */
function project(readme: string, versions: Partial<Record<string, string>> = {}): string {
  const root = mkdtempSync(join(scratch, 'project-'));
  writeFileSync(join(root, 'lerna.json'), JSON.stringify({ version: '1.4.0' }));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: versions.root ?? '1.4.0' }));
  for (const name of RELEASED_PACKAGES) {
    mkdirSync(join(root, 'packages', name), { recursive: true });
    writeFileSync(join(root, 'packages', name, 'package.json'), JSON.stringify({ version: versions[name] ?? '1.4.0' }));
  }
  writeFileSync(join(root, 'README.md'), readme);
  cpSync(
    join(repoRoot, 'packages', 'gitlab-component', 'templates'),
    join(root, 'packages', 'gitlab-component', 'templates'),
    {
      recursive: true,
    },
  );
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  return root;
}

test('a drifted pin is found, and rewriting sets ours while other tools keep theirs', { timeout: 30_000 }, () => {
  const readme = [
    '  - component: $CI_SERVER_FQDN/chainloop-ts/gitlab-component/attest-pipeline@1.3.9',
    'Tested with `gitlab-ci-local@4.73.0` on Node 20.20.2, listening on 127.0.0.1:8000.',
    '    uses: your-org/chainloop-ts/packages/github-action@v1.3.9',
  ].join('\n');
  const root = project(readme);
  const pins = findVersionPins(root).filter((pin) => pin.file === 'README.md');
  assert.deepEqual(
    pins.map((pin) => `${pin.line}:${pin.version}`),
    ['1:1.3.9', '3:1.3.9'],
  );
  assert.equal(
    readme
      .split('\n')
      .map((line) => withVersion(line, '1.4.0'))
      .join('\n'),
    readme.replace(/1\.3\.9/g, '1.4.0'),
  );
  // The templates' defaults are pins too: they carry the repository's version, not the throwaway's 1.4.0.
  assert.ok(findVersionPins(root).some((pin) => pin.file.startsWith('packages/gitlab-component/templates/')));
});

test('lerna fixed mode: a package whose version differs from lerna.json stops the release with the fix', () => {
  const root = project('no pins\n', { 'circleci-orb': '1.3.9' });
  assert.throws(
    () => releaseVersion(root),
    (error: unknown) =>
      error instanceof VersionSetError &&
      /packages\/circleci-orb\/package\.json: version 1\.3\.9 differs from lerna\.json's 1\.4\.0: .*npx lerna version 1\.4\.0/.test(
        error.message,
      ),
  );
  assert.equal(releaseVersion(project('no pins\n')), '1.4.0');
});

test('npx lerna version sets every package, the root and every pin at once', { timeout: 240_000 }, () => {
  const clone = join(scratch, 'clone');
  execFileSync('git', ['clone', '-q', repoRoot, clone]);
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
  const bump = spawnSync('npx', ['lerna', 'version', '9.8.7', '--no-git-tag-version', '--no-push', '--yes'], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(bump.status, 0, bump.stderr);
  assert.equal(releaseVersion(clone), '9.8.7');
  const pins = findVersionPins(clone);
  assert.ok(pins.length >= 20, `${pins.length} pins`);
  assert.deepEqual(
    pins.filter((pin) => pin.version !== '9.8.7').map((pin) => `${pin.file}:${pin.line}`),
    [],
  );
  assert.match(readFileSync(join(clone, 'packages', 'core', 'src', 'version.ts'), 'utf8'), /'9\.8\.7'/);
});
