/**
 * The organisation's policy strategy (Chainloop's `block_on_policy_violation`): false (ADVISORY) until an admin sets
 * it, kept in the database (a restart keeps it; replicas on one database share it), and handed to crafting with the
 * contract, where `attestation init` keeps it in the state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initAttestation, silentLogger } from '@chainloop-ts/core/crafter';
import {
  type ControlPlaneProcess,
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

describe('organisation policy settings', { timeout: 120_000 }, () => {
  let server: ControlPlaneProcess;
  const dataDir = makeTempDir('cp-settings-');
  const workdir = mkdtempSync(join(tmpdir(), 'cp-settings-job-'));

  before(async () => {
    server = await startControlPlaneProcess({ dataDir });
  });
  after(async () => {
    await server?.stop();
    removeDir(dataDir);
    rmSync(workdir, { recursive: true, force: true });
  });

  test('ADVISORY by default; only an admin changes it; robots read it with their contract', {
    timeout: 30_000,
  }, async () => {
    const crafting = await workflowWithRobot(server, 'settings-flow');
    assert.deepEqual((await call(server, 'GET', '/v1/settings/policies', { token: server.adminToken })).json(), {
      blockOnPolicyViolation: false,
    });
    assert.equal((await crafting.robot.getCraftingContract()).blockOnPolicyViolation, false);
    assert.equal((await call(server, 'GET', '/v1/settings/policies')).status, 401, 'a token is needed to read it');

    const byRobot = await call(server, 'PUT', '/v1/settings/policies', {
      token: crafting.token,
      json: { blockOnPolicyViolation: true },
    });
    assert.equal(byRobot.status, 403);
    assert.equal(byRobot.json().code, 'FORBIDDEN');
    const bad = await call(server, 'PUT', '/v1/settings/policies', {
      token: server.adminToken,
      json: { blockOnPolicyViolation: 'sometimes' },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json().message, /blockOnPolicyViolation/);
    const missing = await call(server, 'PUT', '/v1/settings/policies', { token: server.adminToken, json: {} });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(
      (await crafting.robot.getPolicySettings()).blockOnPolicyViolation,
      false,
      'refused writes change nothing',
    );

    assert.deepEqual(await server.admin().setPolicySettings({ blockOnPolicyViolation: true }), {
      blockOnPolicyViolation: true,
    });
    assert.deepEqual(await crafting.robot.getPolicySettings(), { blockOnPolicyViolation: true });
    const answer = await crafting.robot.getCraftingContract();
    assert.equal(answer.blockOnPolicyViolation, true);
    assert.equal(answer.contract.revision, crafting.revision.revision);

    // attestation init keeps it in the crafting state (a dry run too: it is the organisation's, not the run's).
    for (const dryRun of [false, true]) {
      const { state } = await initAttestation(
        { env: {}, cwd: workdir, log: silentLogger, client: crafting.robot },
        { dryRun, remoteState: false, replace: true, localStatePath: join(workdir, `state-${dryRun}.json`) },
      );
      assert.equal(state.blockOnPolicyViolation, true, `dryRun ${dryRun}`);
    }

    await server.admin().setPolicySettings({ blockOnPolicyViolation: false });
    assert.equal((await crafting.robot.getCraftingContract()).blockOnPolicyViolation, false);
    const { state } = await initAttestation(
      { env: {}, cwd: workdir, log: silentLogger, client: crafting.robot },
      { dryRun: true, remoteState: false, replace: true, localStatePath: join(workdir, 'state-off.json') },
    );
    assert.equal(state.blockOnPolicyViolation, false);
  });

  test('the setting is in the database: a restart on the same data keeps it', { timeout: 60_000 }, async () => {
    await server.admin().setPolicySettings({ blockOnPolicyViolation: true });
    assert.equal(await server.stop(), 0);
    server = await startControlPlaneProcess({ dataDir });
    assert.deepEqual(await server.admin().getPolicySettings(), { blockOnPolicyViolation: true });
  });
});
