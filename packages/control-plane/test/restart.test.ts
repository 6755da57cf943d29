import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from './helpers/control-plane-process';

test('a restart on the same data dir keeps workflows, contracts, tokens, runs, state, attestations and blobs', async () => {
  const dataDir = makeTempDir();
  try {
    // No CHAINLOOP_CP_ADMIN_TOKEN: the server generates one into DATA_DIR/admin.token, readable by its owner only.
    const first = await startControlPlaneProcess({ dataDir, adminToken: null });
    const tokenFile = join(dataDir, 'admin.token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.match(first.adminToken, /^cl_admin_[A-Za-z0-9_-]{43}$/);
    assert.match(
      first.logs(),
      new RegExp(`admin token: generated into ${tokenFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    assert.equal(first.logs().includes(first.adminToken), false);

    const crafting = await workflowWithRobot(first, 'build-and-test');
    const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'JENKINS_JOB' });
    const { etag } = await crafting.robot.writeRunState(run.id, { materials: ['rootfs'] });
    const blob = 'rootfs bytes';
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    await call(first, 'PUT', `/v1/cas/${digest}`, {
      token: crafting.token,
      body: blob,
      headers: { 'content-type': 'application/octet-stream' },
    });
    const pushed = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'JENKINS_JOB' });
    const { digest: attestation } = await crafting.robot.storeAttestation(pushed.id, '{"signed":true}');
    assert.equal(await first.stop(), 0, 'SIGTERM stops the server cleanly with exit code 0');
    assert.match(first.logs(), /SIGTERM received, stopping the control plane\nINF control plane stopped/);

    const second = await startControlPlaneProcess({ dataDir, adminToken: null });
    try {
      assert.equal(second.adminToken, first.adminToken, 'the generated admin token is reused');
      const admin = second.admin();
      const robot = second.client(crafting.token);
      assert.deepEqual(await admin.listWorkflows(), [crafting.workflow]);
      assert.equal((await admin.getContract('build-and-test')).body, crafting.revision.body);
      assert.equal((await robot.whoami()).kind, 'robot');
      assert.deepEqual(await robot.readRunState(run.id), { state: { materials: ['rootfs'] }, etag });
      assert.equal((await admin.getRun(pushed.id)).status, 'succeeded');
      assert.equal((await admin.getAttestation(attestation)).bundle, '{"signed":true}');
      assert.equal(await robot.hasBlob(digest), true);
      assert.equal((await call(second, 'GET', `/v1/cas/${digest}`, { token: crafting.token })).text, blob);
      // State writes keep their optimistic concurrency across restarts.
      await assert.rejects(robot.writeRunState(run.id, {}, '"stale"'), { code: 'STATE_CONFLICT' });
    } finally {
      await second.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});

test('CHAINLOOP_CP_ADMIN_TOKEN replaces the generated token and is never logged', async () => {
  const token = 'cl_admin_from-the-environment-0123456789';
  const server = await startControlPlaneProcess({ adminToken: token });
  try {
    assert.deepEqual(await server.admin().whoami(), { kind: 'admin' });
    assert.match(server.logs(), /admin token: taken from CHAINLOOP_CP_ADMIN_TOKEN/);
    assert.equal(server.logs().includes(token), false);
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
});
