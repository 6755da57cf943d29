import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../support/paths';

// The runner every package's `npm test` goes through: a test that hangs (on a timer, or on stdin) must fail.
const dir = mkdtempSync(join(tmpdir(), 'run-tests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a test file that never finishes, on a timer or waiting for stdin, fails at the file timeout', {
  timeout: 60_000,
}, () => {
  writeFileSync(
    join(dir, 'hangs.test.ts'),
    "import { test } from 'node:test';\ntest('waits forever', () => new Promise(() => setInterval(() => {}, 1000)));\n",
  );
  writeFileSync(
    join(dir, 'reads-stdin.test.ts'),
    [
      "import assert from 'node:assert/strict';",
      "import { text } from 'node:stream/consumers';",
      "import { test } from 'node:test';",
      "test('waits for stdin to end', async () => assert.equal(await text(process.stdin), ''));",
      '',
    ].join('\n'),
  );
  // Without NODE_TEST_CONTEXT, or node:test would take the nested runner for part of this file and run nothing.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'run-tests.mjs'), dir], {
    // node:test gives each file a stdin pipe it never closes: only the timeout ends a test that waits on it.
    stdio: ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...env, CHAINLOOP_TEST_FILE_TIMEOUT_MS: '3000' },
    timeout: 50_000,
  });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /not ok \d+ - .*hangs\.test\.ts[\s\S]*test timed out after 3000ms/);
  assert.match(result.stdout, /not ok \d+ - .*reads-stdin\.test\.ts[\s\S]*test timed out after 3000ms/);
  assert.match(result.stdout, /^# pass 0$/m);
});
