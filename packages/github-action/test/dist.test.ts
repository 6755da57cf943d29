/**
 * The runner executes dist/ straight from the repository, so the committed bundle must be exactly what build.mjs
 * makes from the current sources (the action's and the CLI's): a source change without a rebuild fails here.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { actionDir } from './support/github-runner';

const REBUILD = 'run `npm run build -w packages/github-action` and commit packages/github-action/dist';

test('dist/ holds exactly what build.mjs makes from the current sources', (t) => {
  const fresh = mkdtempSync(join(tmpdir(), 'gha-dist-'));
  t.after(() => rmSync(fresh, { recursive: true, force: true }));
  const build = spawnSync(process.execPath, [join(actionDir, 'build.mjs'), fresh], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);

  const committed = join(actionDir, 'dist');
  assert.deepEqual(readdirSync(committed).sort(), readdirSync(fresh).sort(), `dist/ has other files: ${REBUILD}`);
  for (const name of readdirSync(fresh)) {
    const same = readFileSync(join(committed, name)).equals(readFileSync(join(fresh, name)));
    assert.ok(same, `dist/${name} is stale: ${REBUILD}`);
  }
});

test('dist/ is tracked by git (the runner has no install step to rebuild it)', () => {
  const tracked = execFileSync('git', ['ls-files', 'dist'], { cwd: actionDir, encoding: 'utf8' }).split('\n');
  for (const name of ['main.js', 'post.js', 'chainloop.cjs']) {
    assert.ok(tracked.includes(`dist/${name}`), `dist/${name} is not committed`);
  }
});
