import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type ControlPlaneProcess,
  makeTempDir,
  removeDir,
  startControlPlaneProcesses,
  workflowWithRobot,
} from './helpers/control-plane-process';
import { type PostgresServer, startPostgres } from './helpers/postgres-server';

let postgres: PostgresServer;
let left: ControlPlaneProcess;
let right: ControlPlaneProcess;
const dataDir = makeTempDir('cp-shared-');

// Two control plane processes on one PostgreSQL and one shared CAS directory, as behind a load balancer.
before(async () => {
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase();
  const args = ['--database-url', databaseUrl];
  // Started together without CHAINLOOP_CP_ADMIN_TOKEN: they must agree on one generated admin token.
  [left, right] = await startControlPlaneProcesses(
    { dataDir, args, adminToken: null },
    { dataDir, args, adminToken: null },
  );
});
after(async () => {
  await Promise.all([left?.stop(), right?.stop()]);
  postgres?.stop();
  removeDir(dataDir);
});

test('two processes on PostgreSQL serve one consistent control plane', async () => {
  assert.match(left.logs(), /INF storage: PostgreSQL/);
  assert.deepEqual(await right.admin().whoami(), { kind: 'admin' });
  assert.deepEqual(await left.admin().whoami(), { kind: 'admin' });
  const crafting = await workflowWithRobot(left, 'build-and-test');
  const viaRight = right.client(crafting.token);
  assert.equal((await right.admin().getWorkflow('build-and-test')).id, crafting.workflow.id);

  // Contract uploads split across both processes get distinct revisions.
  const revisions = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? left : right).admin().updateContract('build-and-test', `schemaVersion: v1\n# ${i}\n`),
    ),
  );
  assert.deepEqual(
    revisions.map((revision) => revision.revision).sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => i + 3),
  );

  // A run opened on one process is crafted on the other; a stale ETag loses on either.
  const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
  const first = await viaRight.writeRunState(run.id, { materials: [] });
  await crafting.robot.writeRunState(run.id, { materials: ['rootfs'] }, first.etag);
  await assert.rejects(viaRight.writeRunState(run.id, { materials: ['lost'] }, first.etag), { code: 'STATE_CONFLICT' });

  // A blob uploaded through one process is served by the other.
  const blob = await viaRight.uploadFileOnePass(new URL(import.meta.url).pathname);
  assert.equal(await crafting.robot.hasBlob(blob.digest), true);

  const { digest } = await crafting.robot.storeAttestation(run.id, '{"signed":true}');
  assert.equal((await right.admin().getRun(run.id)).attestationDigest, digest);
});

test('a web UI session signed in on one process works on the other; signing out on either ends it everywhere', {
  timeout: 60_000,
}, async () => {
  const signIn = await fetch(`${left.url}/v1/ui/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: left.adminToken }),
  });
  assert.equal(signIn.status, 201);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const read = (server: ControlPlaneProcess) => fetch(`${server.url}/v1/workflows`, { headers: { cookie } });
  assert.equal((await read(right)).status, 200);
  assert.equal((await read(left)).status, 200);
  // The CSRF token is the session's, whichever process checks it.
  const forged = await fetch(`${right.url}/v1/ui/session`, {
    method: 'DELETE',
    headers: { cookie, 'x-csrf-token': 'x' },
  });
  assert.equal(forged.status, 403);
  const signOut = await fetch(`${right.url}/v1/ui/session`, {
    method: 'DELETE',
    headers: { cookie, 'x-csrf-token': csrfToken },
  });
  assert.equal(signOut.status, 204);
  assert.equal((await read(left)).status, 401);
  assert.equal((await read(right)).status, 401);
});

test("the organisation's policy strategy set on one process is what the other hands to crafting", {
  timeout: 30_000,
}, async () => {
  const crafting = await workflowWithRobot(left, 'policy-strategy');
  const viaRight = right.client(crafting.token);
  assert.equal((await viaRight.getCraftingContract()).blockOnPolicyViolation, false);
  await left.admin().setPolicySettings({ blockOnPolicyViolation: true });
  assert.equal((await viaRight.getCraftingContract()).blockOnPolicyViolation, true);
  await right.admin().setPolicySettings({ blockOnPolicyViolation: false });
  assert.deepEqual(await left.admin().getPolicySettings(), { blockOnPolicyViolation: false });
});
