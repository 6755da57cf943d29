import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateEphemeralSigner, signStatement } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { defaultConfig, startControlPlane } from '../src/index';
import { makeTempDir, removeDir } from './helpers/control-plane-process';

// The in-process control plane with its real signature verifier (no hook injected).
const dataDir = makeTempDir('cp-attestation-');
const adminToken = 'cl_admin_attestation-store-test';
let running: Awaited<ReturnType<typeof startControlPlane>>;

before(async () => {
  running = await startControlPlane(defaultConfig({ port: 0, dataDir, adminToken }));
});
after(async () => {
  await running?.close();
  removeDir(dataDir);
});

async function robotOf(name: string) {
  const admin = new ControlPlaneClient({ baseUrl: running.url, token: adminToken });
  await admin.createWorkflow({ name, team: 't', project: 'skynet' });
  await admin.updateContract(name, 'schemaVersion: v1\n');
  const token = (await admin.createRobotAccount(name)).token ?? '';
  return new ControlPlaneClient({ baseUrl: running.url, token, retries: 0 });
}

const statementNaming = (subject: string) => ({
  _type: 'https://in-toto.io/Statement/v1' as const,
  subject: [{ name: subject, digest: { sha256: 'b'.repeat(64) } }],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: {},
});

test('a bundle whose signature does not verify is refused and the run stays open; the genuine one is stored', async () => {
  const robot = await robotOf('verified');
  const run = await robot.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
  const { signer, csrPem } = await generateEphemeralSigner();
  signer.setCertificateChain((await robot.requestSigningCertificate(run.id, csrPem)).chainPem);
  const genuine = (await signStatement(statementNaming('chainloop.workflow.verified'), signer)).bundleJson;

  const forged = JSON.parse(genuine);
  forged.dsseEnvelope.payload = Buffer.from(JSON.stringify(statementNaming('chainloop.workflow.forged'))).toString(
    'base64',
  );
  await assert.rejects(robot.storeAttestation(run.id, JSON.stringify(forged)), {
    code: 'ATTESTATION_SIGNATURE_INVALID',
  });
  assert.equal((await robot.getRun(run.id)).status, 'initialized');

  const stored = await robot.storeAttestation(run.id, genuine);
  assert.match(stored.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await robot.getRun(run.id)).status, 'succeeded');
});
