import '../hang-guard';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signStatement, verifyAttestation } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient, createKeylessSigner } from '@chainloop-ts/core/client';
import { ADMIN_TOKEN, type RunningServer, startControlPlane, startScriptedServer } from './helpers/control-plane';

const statement = {
  _type: 'https://in-toto.io/Statement/v1' as const,
  subject: [{ name: 'chainloop.workflow.build-and-test', digest: { sha256: 'b'.repeat(64) } }],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: {},
};

describe('createKeylessSigner against the real control plane', () => {
  let server: RunningServer;
  let robot: ControlPlaneClient;
  let workflowId: string;

  before(async () => {
    server = await startControlPlane();
    const admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    workflowId = (await admin.createWorkflow({ name: 'build-and-test', team: 't', project: 'p' })).id;
    const { token } = await admin.createRobotAccount('build-and-test');
    robot = new ControlPlaneClient({ baseUrl: server.url, token: token ?? '' });
  });
  after(() => server.stop());

  test('the signer carries a chain from the control plane CA and its bundles verify against that CA', async () => {
    const run = await robot.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
    const signer = await createKeylessSigner(robot, run.id);
    assert.equal(signer.certificateChainPem?.length, 2);
    assert.equal(new X509Certificate(signer.certificateChainPem?.[0] ?? '').subject, `O=${workflowId}`);
    const { bundleJson } = await signStatement(statement, signer);
    const { certificatePem } = await robot.getSigningCa();
    const verified = await verifyAttestation(bundleJson, { chainPem: certificatePem });
    assert.equal(verified.signer.kind, 'certificate');
    assert.ok((await robot.storeAttestation(run.id, bundleJson)).digest);
  });

  test('without a run id (dry-run) it asks for --key; a finished run is the server refusal', async () => {
    await assert.rejects(createKeylessSigner(robot, undefined), {
      code: 'KEYLESS_NEEDS_RUN',
      message: /^keyless signing needs a workflow run .*: pass a cosign key with --key FILE or --key env:\/\/VAR$/,
    });
    const run = await robot.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
    await robot.resetRun(run.id, { trigger: 'failure' });
    await assert.rejects(createKeylessSigner(robot, run.id), { code: 'RUN_NOT_ACTIVE' });
  });
});

test('a control plane without keyless signing (no such route) gets KEYLESS_UNAVAILABLE suggesting --key', async () => {
  // Stands in for an older control plane: the real one always has the route.
  const older = await startScriptedServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: 'ROUTE_NOT_FOUND', message: 'no route POST /v1/runs/r/signing-certificate' }));
  });
  try {
    const client = new ControlPlaneClient({ baseUrl: older.url, token: 't', retries: 0 });
    await assert.rejects(createKeylessSigner(client, 'r'), {
      code: 'KEYLESS_UNAVAILABLE',
      message: new RegExp(
        `^keyless signing is not available from the control plane at ${older.url}: pass a cosign key`,
      ),
    });
  } finally {
    await older.stop();
  }
});
