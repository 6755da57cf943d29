/** Wrong values for the lifecycle flags: one ERR line naming the flag and the fix, exit 2, and nothing created. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
const dir = mkdtempSync(join(tmpdir(), 'lifecycle-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  // No control plane listens on port 9: a command that got past flag checking would fail differently.
  return spawnSync(process.execPath, [bundle, ...args, '--control-plane', 'http://127.0.0.1:9'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, CHAINLOOP_TOKEN: 'cl_robot_test_token', TMPDIR: dir },
    // No stdin, and a bound on the run: a command that got past flag checking must fail the test, not hang it.
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

function assertUsageError(result: ReturnType<typeof cli>, pattern: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(errors[0], pattern);
}

test('init --dotenv-file without --remote-state is refused before anything is created', () => {
  const dotenv = join(dir, 'chainloop.env');
  assertUsageError(cli(['attestation', 'init', '--dotenv-file', dotenv]), /--dotenv-file .* add --remote-state/);
  assert.equal(existsSync(dotenv), false);
  assert.equal(existsSync(join(dir, 'chainloop-attestation.tmp.json')), false);
});

test('finish: an unknown CI, a status word of another CI, a bad --unstable-as', () => {
  assertUsageError(
    cli(['attestation', 'finish', '--ci', 'travis', '--status', 'success']),
    /--ci "travis" is not known: use one of gitlab/,
  );
  assertUsageError(
    cli(['attestation', 'finish', '--ci', 'gitlab', '--status', 'cancelled']),
    /"cancelled" is not a gitlab status: use one of/,
  );
  assertUsageError(
    cli(['attestation', 'finish', '--ci', 'jenkins', '--status', 'UNSTABLE', '--unstable-as', 'maybe']),
    /--unstable-as "maybe" is invalid: use failure or push/,
  );
});

test('add: --materials with --value, and a malformed materials list', () => {
  assertUsageError(
    cli(['attestation', 'add', '--materials', 'a=b', '--value', 'x']),
    /cannot be combined with --name\/--value/,
  );
  assertUsageError(
    cli(['attestation', 'add', '--materials', 'no-equals-sign']),
    /line 1 "no-equals-sign" is not name=value/,
  );
});
