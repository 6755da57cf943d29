// `npm run release` without a signing key refuses before building anything, in one line naming the fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

test('npm run release with no --key: one ERR line with the fix, exit 2, nothing written', { timeout: 60_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'release-usage-'));
  try {
    const out = join(scratch, 'release');
    const result = spawnSync('npm', ['run', '--silent', 'release', '--', '--out', out, '--no-build'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2, result.stderr);
    const [first] = result.stderr.split('\n');
    assert.match(
      first,
      /^ERR release: no signing key: .*pass --key cosign\.key \(password in CHAINLOOP_SIGNING_PASSWORD/,
    );
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
