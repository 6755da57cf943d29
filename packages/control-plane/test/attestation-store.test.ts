import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ApiError } from '../src/http/api-error';
import { defaultConfig, startControlPlane } from '../src/index';
import { makeTempDir, removeDir } from './helpers/control-plane-process';

const dataDir = makeTempDir('cp-attestation-');
const adminToken = 'cl_admin_attestation-store-test';
let running: Awaited<ReturnType<typeof startControlPlane>>;

before(async () => {
  running = await startControlPlane(defaultConfig({ port: 0, dataDir, adminToken }), {
    // Stands in for the signature check that lands with the signing module: refuse bundles marked unsigned.
    verifier: {
      async verify(_workflow, attestation) {
        if (attestation.bundle.includes('"unsigned"')) {
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
