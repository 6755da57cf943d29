/**
 * An `attestation init` that is refused (an attestation already in progress, an unreadable state) must leave nothing
 * behind in the control plane: the local state is checked before the run is created, so the workflow keeps exactly
 * the runs a user started, none of them failed by a refusal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

describe('a refused attestation init against the embedded control plane', { timeout: 180_000 }, () => {
  const cp = embeddedControlPlane('cli-init-refused-');
  const root = cp.root;

  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const init = (...extra: string[]) =>
      runCli(['attestation', 'init', '--local-state-path', statePath, ...extra], env, cwd);
    const runs = () => cp.admin.listRuns({ workflow: workflow.id });
    return { statePath, init, runs };
  }

  test('init twice: the second is refused and the workflow keeps one run, still initialized', {
    timeout: 60_000,
  }, async () => {
    const { statePath, init, runs } = await job('init-twice');
    const first = init('-o', 'json');
    assert.equal(first.status, 0, first.stderr);
    const runId: string = JSON.parse(first.stdout).workflowMeta.workflowRunID;
    const stateBefore = readFileSync(statePath, 'utf8');

    const second = init();
    assert.equal(second.status, 1, second.stderr);
    assert.match(
      second.stderr,
      /^ERR attestation already initialized \(local state .*\): push or reset it first, or run init with --replace\n$/,
    );

    const after = await runs();
    assert.deepEqual(
      after.map((run) => ({ id: run.id, status: run.status })),
      [{ id: runId, status: 'initialized' }],
      'no second run, and the first one is not failed',
    );
    assert.equal(readFileSync(statePath, 'utf8'), stateBefore, 'the attestation in progress is untouched');
  });

  test('an unreadable local state is refused before any run is created', { timeout: 60_000 }, async () => {
    const { statePath, init, runs } = await job('corrupt-state');
    writeFileSync(statePath, '{ not json');

    const refused = init();
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^ERR local state .* is not valid JSON: run chainloop attestation reset, or init --replace/m,
    );
    assert.deepEqual(await runs(), [], 'no run was created');

    // --replace is the way out: one run, initialized.
    const replaced = init('--replace');
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.deepEqual(
      (await runs()).map((run) => run.status),
      ['initialized'],
    );
  });
});
