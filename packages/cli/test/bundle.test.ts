import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const bundle = join(import.meta.dirname, '..', 'dist', 'chainloop.cjs');

test('the bundled CLI runs with plain node and prints its version', () => {
  assert.ok(existsSync(bundle), `${bundle} missing: run npm run build first`);
  const result = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
  assert.equal(result.stdout.trim(), version);
});

test('the bundle requires no native module', () => {
  const text = readFileSync(bundle, 'utf8');
  assert.doesNotMatch(text, /require\(["'][^"']*\.node["']\)/);
  assert.doesNotMatch(text, /require\(["']better-sqlite3["']\)/);
});

test('an unknown flag is a usage error with exit code 2', () => {
  const result = spawnSync(process.execPath, [bundle, '--no-such-flag'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown option/);
});
