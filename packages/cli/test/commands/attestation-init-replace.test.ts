/**
 * `attestation init --replace` discards the attestation in progress: its run must not stay `initialized` on the
 * control plane until it expires. It is cancelled with a reason a user reading `workflow run describe` understands;
 * when it cannot be (already finished, unknown to the control plane) the init still goes ahead, with one WRN line.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const vectors = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signingKey = join(vectors, 'generated__p256_N65536.key');
const signingPassword = 'correct horse battery staple';

function lines(result: CliResult, level: 'WRN' | 'ERR'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

describe('attestation init --replace against the embedded control plane', { timeout: 240_000 }, () => {
  const cp = embeddedControlPlane('cli-init-replace-');

  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    const init = (...extra: string[]) => {
      const result = cli(['attestation', 'init', '-o', 'json', ...extra]);
      assert.equal(result.status, 0, result.stderr);
      return { result, runId: JSON.parse(result.stdout).workflowMeta.workflowRunID as string | undefined };
    };
    const push = () =>
      cli(['attestation', 'push', '--key', signingKey, '-o', 'json'], { CHAINLOOP_SIGNING_PASSWORD: signingPassword });
    const runs = async () =>
      Object.fromEntries(
        (await cp.admin.listRuns({ workflow: workflow.id })).map((run) => [
          run.id,
          { status: run.status, trigger: run.trigger, reason: run.reason },
        ]),
      );
    return { statePath, init, push, runs };
  }

  test('the replaced run is cancelled with the reason, the new one is initialized and pushes', {
    timeout: 60_000,
  }, async () => {
    const { init, push, runs } = await job('replace-cancels');
    const first = init();
    const second = init('--replace');
    assert.ok(first.runId && second.runId && first.runId !== second.runId, 'two runs');
    assert.deepEqual(lines(second.result, 'WRN'), [], second.result.stderr);
    assert.deepEqual(await runs(), {
      [first.runId]: { status: 'cancelled', trigger: 'cancellation', reason: 'replaced by a new attestation init' },
      [second.runId]: { status: 'initialized', trigger: undefined, reason: undefined },
    });

    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.match(pushed.stderr, /^INF Attestation pushed!$/m);
    assert.equal((await runs())[second.runId].status, 'succeeded');
    assert.equal((await runs())[first.runId].status, 'cancelled');
  });

  test('a replaced run already finished: the init goes ahead with one WRN naming the run and why', {
    timeout: 60_000,
  }, async () => {
    const { statePath, init, push, runs } = await job('replace-finished');
    const first = init();
    assert.ok(first.runId);
    const kept = `${statePath}.kept`;
    copyFileSync(statePath, kept);
    assert.equal(push().status, 0);
    // The state of the run already pushed, back in place (a copy another job left behind).
    copyFileSync(kept, statePath);

    const second = init('--replace');
    assert.deepEqual(lines(second.result, 'WRN'), [
      `WRN run ${first.runId} of the replaced attestation was already succeeded: left as it is`,
    ]);
    assert.deepEqual(lines(second.result, 'ERR'), []);
    assert.ok(second.runId);
    assert.equal((await runs())[first.runId].status, 'succeeded', 'a pushed run stays succeeded');
    assert.equal((await runs())[second.runId].status, 'initialized');
  });

  test('a replaced run the control plane does not know: one WRN with its reason, the init goes ahead', {
    timeout: 60_000,
  }, async () => {
    const { statePath, init, runs } = await job('replace-unknown');
    const first = init();
    assert.ok(first.runId);
    const unknown = '00000000-0000-4000-8000-000000000000';
    writeFileSync(statePath, readFileSync(statePath, 'utf8').replaceAll(first.runId, unknown));

    const second = init('--replace');
    const warnings = lines(second.result, 'WRN');
    assert.equal(warnings.length, 1, second.result.stderr);
    assert.match(
      warnings[0],
      new RegExp(`^WRN run ${unknown} of the replaced attestation was not cancelled \\(.*not found.*\\): `),
    );
    assert.ok(second.runId);
    assert.equal((await runs())[second.runId].status, 'initialized');
  });

  test('a replaced dry run has no run on the control plane: nothing to cancel, no warning', {
    timeout: 60_000,
  }, async () => {
    const { init, runs } = await job('replace-dry-run');
    const dry = init('--dry-run');
    assert.equal(dry.runId ?? '', '', 'a dry run creates no run');
    const second = init('--replace');
    assert.deepEqual(lines(second.result, 'WRN'), [], second.result.stderr);
    assert.ok(second.runId);
    assert.deepEqual(Object.keys(await runs()), [second.runId]);
  });
});
