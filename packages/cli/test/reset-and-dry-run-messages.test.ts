/**
 * The log says what really happened: a dry run uploads nothing and stores nothing, so `add` prints no upload line and
 * `reset` marks nothing as failed; a real reset for a cancellation says "cancelled", as the run's status does.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { embeddedControlPlane, runCli } from './helpers/control-plane-cli';
import { writeDryRunState } from './helpers/dry-run-state';

function infoLines(stderr: string): string[] {
  return stderr.split('\n').filter(Boolean);
}

describe('dry run', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-dry-run-messages-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('add of a file says it was not uploaded, with no upload line', () => {
    const statePath = join(root, 'add.json');
    writeDryRunState(statePath);
    const file = join(root, 'rootfs.tar.gz');
    writeFileSync(file, 'rootfs\n');
    const digest = createHash('sha256').update('rootfs\n').digest('hex');
    const added = runCli(
      [
        'attestation',
        'add',
        '--name',
        'rootfs',
        '--kind',
        'ARTIFACT',
        '--value',
        file,
        '--local-state-path',
        statePath,
      ],
      {},
      root,
    );
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(infoLines(added.stderr), [
      `rootfs.tar.gz@sha256:${digest} ... dry-run: not uploaded [7B]`,
      'INF material added to attestation',
    ]);
  });

  for (const command of [
    ['attestation', 'reset', '--trigger', 'failure'],
    ['attestation', 'reset', '--trigger', 'cancellation'],
    ['attestation', 'finish', '--status', 'failure'],
    ['attestation', 'finish', '--ci', 'gitlab', '--status', 'canceled'],
  ]) {
    test(`${command.slice(1).join(' ')} says the attestation was discarded and nothing stored`, () => {
      const statePath = join(root, `${command.join('-')}.json`);
      writeDryRunState(statePath);
      const reset = runCli([...command, '--local-state-path', statePath], {}, root);
      assert.equal(reset.status, 0, reset.stderr);
      assert.deepEqual(infoLines(reset.stderr), ['INF dry-run: attestation discarded, nothing stored']);
      assert.equal(existsSync(statePath), false, 'the local state is gone');
    });
  }
});

describe('a reset for a cancellation', { timeout: 180_000 }, () => {
  const cp = embeddedControlPlane('cli-cancelled-');
  const root = cp.root;

  for (const command of [
    ['attestation', 'reset', '--trigger', 'cancellation'],
    ['attestation', 'finish', '--ci', 'gitlab', '--status', 'canceled'],
  ]) {
    test(`${command.slice(1).join(' ')}: "cancelled" in the log, as in the run's status`, async () => {
      const name = command[1];
      const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
      const env = {
        CHAINLOOP_CONTROL_PLANE_API: cp.server.url,
        CHAINLOOP_ROBOT_ACCOUNT: (await cp.admin.createRobotAccount(workflow.id)).token ?? '',
        TMPDIR: root,
      };
      const statePath = join(root, `${name}.json`);
      const init = runCli(['attestation', 'init', '--local-state-path', statePath], env, root);
      assert.equal(init.status, 0, init.stderr);

      const reset = runCli([...command, '--local-state-path', statePath], env, root);
      assert.equal(reset.status, 0, reset.stderr);
      assert.deepEqual(infoLines(reset.stderr), ['INF Attestation marked as cancelled']);
      const [run] = await cp.admin.listRuns({ workflow: workflow.id });
      assert.equal(run.status, 'cancelled');
    });
  }
});
