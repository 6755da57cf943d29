import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { generateEphemeralSigner } from '@chainloop-ts/core/attestation';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

describe('keyless signing certificates', () => {
  let server: ControlPlaneProcess;
  let a: Awaited<ReturnType<typeof workflowWithRobot>>;
  let b: Awaited<ReturnType<typeof workflowWithRobot>>;

  before(async () => {
    server = await startControlPlaneProcess();
    a = await workflowWithRobot(server, 'wf-a');
    b = await workflowWithRobot(server, 'wf-b');
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test("a robot gets a 10-minute code-signing leaf for its run's key, bound to the workflow, then the CA", async () => {
    const run = await a.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const { signer, csrPem } = await generateEphemeralSigner();
    const before = Date.now();
    const { chainPem } = await a.robot.requestSigningCertificate(run.id, csrPem);
    assert.equal(chainPem.length, 2);
    const [leaf, ca] = chainPem.map((pem) => new X509Certificate(pem));
    const { certificatePem } = await a.robot.getSigningCa();
    assert.equal(ca.toString(), new X509Certificate(certificatePem).toString(), 'the chain ends in the served CA');
    assert.equal(leaf.subject, `O=${a.workflow.id}`);
    assert.equal(leaf.ca, false);
    assert.deepEqual(leaf.keyUsage, [CODE_SIGNING]);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    assert.equal(lifetime, 10 * 60_000);
    assert.ok(Math.abs(Date.parse(leaf.validFrom) - before) < 60_000);
    // The leaf certifies the CSR's key, so the signer accepts it.
    signer.setCertificateChain(chainPem);
    assert.match(server.logs(), new RegExp(`signing certificate ${leaf.serialNumber} issued for run ${run.id}`));
  });

  test('a robot of another workflow gets 404, an admin 403, no token 401', async () => {
    const run = await a.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const { csrPem } = await generateEphemeralSigner();
    const path = `/v1/runs/${run.id}/signing-certificate`;
    const other = await call(server, 'POST', path, { token: b.token, json: { csr: csrPem } });
    assert.equal(other.status, 404);
    assert.equal(other.json().code, 'RUN_NOT_FOUND');
    assert.doesNotMatch(other.text, /CERTIFICATE/);
    const admin = await call(server, 'POST', path, { token: server.adminToken, json: { csr: csrPem } });
    assert.equal(admin.status, 403);
    const anonymous = await call(server, 'POST', path, { json: { csr: csrPem } });
    assert.equal(anonymous.status, 401);
  });

  test('a finished run gets 409 RUN_NOT_ACTIVE', async () => {
    const run = await a.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    await a.robot.resetRun(run.id, { trigger: 'cancellation' });
    const { csrPem } = await generateEphemeralSigner();
    await assert.rejects(a.robot.requestSigningCertificate(run.id, csrPem), (error: Error & { status: number }) => {
      assert.equal(error.status, 409);
      assert.match(error.message, new RegExp(`^workflow run ${run.id} is cancelled: .*attestation init$`));
      return true;
    });
  });

  test('a garbage CSR, or one whose signature does not verify, gets 400 with a one-line message', async () => {
    const run = await a.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const garbage = await call(server, 'POST', `/v1/runs/${run.id}/signing-certificate`, {
      token: a.token,
      json: { csr: 'not a certificate request' },
    });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json().code, 'CSR_INVALID');
    assert.match(garbage.json().message, /^certificate request is not a PEM PKCS#10 CSR; [^\n]+$/);

    // A CSR edited after signing: the proof of possession fails.
    const { csrPem } = await generateEphemeralSigner();
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0xff;
    const edited = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await assert.rejects(a.robot.requestSigningCertificate(run.id, edited), { code: 'CSR_INVALID', status: 400 });
    const missing = await call(server, 'POST', `/v1/runs/${run.id}/signing-certificate`, { token: a.token, json: {} });
    assert.equal(missing.status, 400);
  });

  test('the CA is served to any authenticated principal, not anonymously', async () => {
    const asAdmin = await server.admin().getSigningCa();
    const asRobot = await b.robot.getSigningCa();
    assert.equal(asAdmin.certificatePem, asRobot.certificatePem);
    const ca = new X509Certificate(asAdmin.certificatePem);
    assert.equal(ca.ca, true);
    assert.equal((await call(server, 'GET', '/v1/signing/ca')).status, 401);
  });
});
