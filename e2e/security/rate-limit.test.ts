/**
 * A control plane with a tiny per-token rate limit (`--rate-limit`): the CLI waits for the 429's Retry-After and
 * retries, so a command sequence that exceeds the budget still succeeds; a wait longer than the CLI is willing to make
 * ends the command with one line naming the rate limit and the fix.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CliResult } from '../support/cli';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { signingKey, signingPassword } from '../support/crafting';
import { craftingJob } from '../support/crafting-job';

const scratch = mkdtempSync(join(tmpdir(), 'rate-limit-e2e-'));
const started: TestControlPlane[] = [];
after(async () => {
  for (const cp of started) await cp.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function controlPlane(rateLimit: string): Promise<TestControlPlane> {
  const cp = await startControlPlane({ args: ['--rate-limit', rateLimit] });
  started.push(cp);
  return cp;
}

const keyEnv = { CHAINLOOP_SIGNING_PASSWORD: signingPassword };

describe('rate limits', { timeout: 120_000 }, () => {
  test('--rate-limit 3/2s: init, adds and push exceed it and still succeed, having waited for Retry-After', async () => {
    const cp = await controlPlane('3/2s');
    const job = await craftingJob(cp, 'rate-limited', scratch);
    cp.takeLog();
    const results: CliResult[] = [];
    const step = async (args: string[], extra: Record<string, string> = {}) => {
      const result = await job.cli(args, extra);
      assert.equal(result.status, 0, `${args.join(' ')}:\n${result.stderr}`);
      results.push(result);
    };
    // Robot requests: init 4 (contract, run, and the CAS HEAD and PUT of the runner-context material it collects in a
    // CI), each file add 2 (HEAD, PUT), push 1: more than 3 in 2 s.
    await step(['attestation', 'init']);
    await step(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz']);
    await step(['attestation', 'add', '--name', 'build-ref', '--value', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a']);
    await step(['attestation', 'add', '--name', 'extra', '--kind', 'ARTIFACT', '--value', 'rootfs.tar.gz']);
    await step(['attestation', 'push', '--key', signingKey], keyEnv);

    const limited = cp.takeLog().filter((line) => / 429 /.test(line));
    assert.ok(limited.length > 0, 'the control plane refused some requests with 429');
    const stderr = results.map((result) => result.stderr).join('');
    // Each 429 was waited out, and said so.
    const waits = stderr.split('\n').filter((line) => line.startsWith('WRN control plane rate limit reached (429)'));
    assert.ok(waits.length > 0, stderr);
    for (const line of waits) assert.match(line, /^WRN control plane rate limit reached \(429\), retrying in \d+ s \(/);
    assert.doesNotMatch(stderr, /^ERR /m);

    const [run] = await cp.admin().listRuns({ workflow: 'rate-limited' });
    assert.equal(run.status, 'succeeded');
  });

  test('a Retry-After longer than the CLI waits: one ERR line naming the rate limit and the fix, no long wait', async () => {
    const cp = await controlPlane('6/10m');
    const job = await craftingJob(cp, 'rate-limited-long', scratch);
    // 6 robot requests, the whole budget: init 4 (contract, run, the runner-context material's CAS HEAD and PUT) and
    // the rootfs upload 2 (HEAD, PUT); the STRING add makes none.
    await job.craft();
    const begun = Date.now();
    const push = await job.cli(['attestation', 'push', '--key', signingKey], keyEnv);
    assert.equal(push.status, 1, push.stderr);
    assert.ok(Date.now() - begun < 15_000, 'did not wait out a ten-minute window');
    const errors = push.stderr.split('\n').filter((line) => line.startsWith('ERR '));
    assert.equal(errors.length, 1, push.stderr);
    assert.match(errors[0], /rate limit/);
    assert.match(errors[0], /retry after \d+ s/);
    assert.match(errors[0], /--rate-limit/);
    assert.ok(existsSync(job.statePath), 'the crafting state is kept');
  });
});
