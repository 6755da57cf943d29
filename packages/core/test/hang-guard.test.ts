import './hang-guard';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { STDIN_REFUSAL } from './hang-guard';

const TEST_ROOT = import.meta.dirname;

/** Every *.test.ts below test/, as run-tests.mjs collects them (fixtures folders are not tests). */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'fixtures') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('hang guard', () => {
  test('every core test file imports it', () => {
    const files = testFiles(TEST_ROOT);
    assert.ok(files.length >= 40, `found only ${files.length} test files under ${TEST_ROOT}`);
    const unguarded = files
      .filter((file) => !/^import '(\.\/|(\.\.\/)+)hang-guard';$/m.test(readFileSync(file, 'utf8')))
      .map((file) => relative(TEST_ROOT, file));
    assert.deepEqual(unguarded, [], "add import '…/hang-guard'; to these test files");
  });

  test('reading the runner stdin fails at once instead of blocking', () => {
    assert.throws(() => process.stdin.read(), { message: STDIN_REFUSAL });
  });

  test('a test file still running at its limit fails, naming the test that hangs', () => {
    const fixture = join(TEST_ROOT, 'fixtures', 'holds-a-server-open.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
      cwd: join(TEST_ROOT, '..'),
      env: { ...process.env, CHAINLOOP_TEST_FILE_TIMEOUT_MS: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      // Only if the guard itself is broken: the fixture would otherwise hold this test forever.
      timeout: 120_000,
    });
    assert.equal(run.signal, null, `the fixture never ended by itself: ${run.stderr}`);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /^hang guard: still running after 1000 ms, failing the file: waits forever on a server nobody calls$/m,
    );
  });
});
