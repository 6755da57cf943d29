import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();

test('a large output piped into a reader that stops early (| head -c 1) ends quietly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epipe-'));
  try {
    // A state with 5,000 contract-free materials makes `status --full` print far more than a pipe buffer holds.
    const materials = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [
        `m-${i}`,
        {
          name: `m-${i}`,
          kind: 'STRING',
          value: 'x'.repeat(40),
          digest: `sha256:${'0'.repeat(64)}`,
          annotations: {},
          uploadedToCas: false,
          output: false,
          required: false,
          contractFree: true,
          addedAt: '2026-01-01T00:00:00Z',
        },
      ]),
    );
    const statePath = join(dir, 'state.json');
    writeDryRunState(statePath, { materials });
    const command = `"${process.execPath}" "${bundle}" attestation status --full --local-state-path "${statePath}" | head -c 1`;
    const result = spawnSync('bash', ['-c', command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    assert.doesNotMatch(result.stderr, /EPIPE|Error|at /);
    assert.equal(result.stdout.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
