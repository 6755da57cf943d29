// `npm run release` without a signing key, or with one it cannot load, refuses before building anything, in one line
// naming the fix.
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

test('npm run release --key with no such file: the one ERR line the CLI gives for it, non-zero exit, nothing written', {
  timeout: 60_000,
}, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'release-usage-'));
  try {
    const out = join(scratch, 'release');
    const key = join(scratch, 'nonexistent.key');
    const result = spawnSync('npm', ['run', '--silent', 'release', '--', '--key', key, '--out', out, '--no-build'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CHAINLOOP_SIGNING_PASSWORD: 'any' },
    });
    assert.notEqual(result.status, 0, result.stderr);
    assert.equal(result.stderr, `ERR signing key ${key}: file not found; pass the path of the key file\n`);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(out), false, 'nothing written');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
