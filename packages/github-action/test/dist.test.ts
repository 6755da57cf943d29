/**
 * The runner executes dist/ straight from the repository, so the COMMITTED bundle must be exactly what build.mjs
 * makes from the current sources (the action's and the CLI's). Compared with git HEAD, not the working tree:
 * `npm run build` rewrites dist/ before the tests, and a rebuilt but uncommitted dist/ is not what users run.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { actionDir } from './support/github-runner';

const REBUILD =
  'run `npm run build -w packages/github-action` and commit packages/github-action/dist ' +
  '(any change to packages/core or packages/cli changes dist/chainloop.cjs)';

function git(args: string[]): Buffer {
  return execFileSync('git', args, {
    cwd: actionDir,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

test('the committed dist/ is exactly what build.mjs makes from the current sources', { timeout: 300_000 }, (t) => {
  const fresh = mkdtempSync(join(tmpdir(), 'gha-dist-'));
  t.after(() => rmSync(fresh, { recursive: true, force: true }));
  const build = spawnSync(process.execPath, [join(actionDir, 'build.mjs'), fresh], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  });
  assert.equal(build.status, 0, build.stderr);

  const committed = git(['ls-tree', '--name-only', 'HEAD', 'dist/'])
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((path) => path.replace(/^dist\//, ''));
  // Compared file by file below: an empty list would compare nothing.
  assert.ok(committed.includes('main.js') && committed.includes('chainloop.cjs'), `committed dist/: ${committed}`);
  assert.deepEqual(committed.sort(), readdirSync(fresh).sort(), `the committed dist/ has other files: ${REBUILD}`);
  for (const name of committed) {
    const same = git(['show', `HEAD:./dist/${name}`]).equals(readFileSync(join(fresh, name)));
    assert.ok(same, `the committed dist/${name} is stale: ${REBUILD}`);
  }
});
