import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const bundle = join(import.meta.dirname, '..', 'dist', 'chainloop.cjs');

test('output piped into a reader that stops early (| head -1) ends quietly', () => {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${bundle}" attestation --help | head -c 1`], {
    encoding: 'utf8',
  });
  assert.doesNotMatch(result.stderr, /EPIPE|Error/);
  assert.equal(result.stdout.length, 1);
});
