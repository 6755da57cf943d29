import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ApiError } from '../src/http/api-error';
import { defaultConfig, startControlPlane } from '../src/index';
import { makeTempDir, removeDir } from './helpers/control-plane-process';

const dataDir = makeTempDir('cp-attestation-');
const adminToken = 'cl_admin_attestation-store-test';
let running: Awaited<ReturnType<typeof startControlPlane>>;
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

before(async () => {
  running = await startControlPlane(defaultConfig({ port: 0, dataDir, adminToken }), {
    // Stands in for the signature check that lands with the signing module: refuse bundles marked unsigned.
    verifier: {
      async verify(_workflow, bundle) {
        if (bundle.includes('"unsigned"')) {
          throw new ApiError(400, 'ATTESTATION_SIGNATURE_INVALID', 'the bundle signature does not verify');
        }
      },
    },
  });
});
after(async () => {
  await running.close();
  removeDir(dataDir);
});

async function robotOf(name: string) {
  const admin = new ControlPlaneClient({ baseUrl: running.url, token: adminToken });
  await admin.createWorkflow({ name, team: 't', project: 'skynet' });
  const token = (await admin.createRobotAccount(name)).token ?? '';
  return Object.assign(new ControlPlaneClient({ baseUrl: running.url, token }), { token });
}

test('the verifier hook can refuse a bundle; the run stays initialized', async () => {
  const robot = await robotOf('verified');
  const run = await robot.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
  await assert.rejects(robot.storeAttestation(run.id, '{"unsigned":true}'), { code: 'ATTESTATION_SIGNATURE_INVALID' });
  assert.equal((await robot.getRun(run.id)).status, 'initialized');
  assert.ok((await robot.storeAttestation(run.id, '{"signed":true}')).digest);
});

test('a workflow may download blobs its attestations reference, even when another workflow uploaded them', async () => {
  const uploader = await robotOf('uploader');
  const consumer = await robotOf('consumer');
  const blob = 'shared base image layer';
  const digest = `sha256:${sha256(blob)}`;
  const response = await fetch(`${running.url}/v1/cas/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${uploader.token}`, 'content-type': 'application/octet-stream' },
    body: blob,
  });
  assert.equal(response.status, 201);
  assert.equal(await consumer.hasBlob(digest), false);

  const statement = { subject: [], predicate: { materials: [{ name: 'base', digest: { sha256: sha256(blob) } }] } };
  const bundle = JSON.stringify({
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    },
  });
  const run = await consumer.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
  await consumer.storeAttestation(run.id, bundle);
  assert.equal(await consumer.hasBlob(digest), true);
});
