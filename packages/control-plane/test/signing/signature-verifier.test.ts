import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  createCertificateAuthority,
  generateEphemeralSigner,
  issueSigningCertificate,
  KeySigner,
  type Signer,
  signStatement,
} from '@chainloop-ts/core/attestation';
import type { ControlPlaneClient } from '@chainloop-ts/core/client';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const statement = (name: string) => ({
  _type: 'https://in-toto.io/Statement/v1' as const,
  subject: [{ name, digest: { sha256: 'a'.repeat(64) } }],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: {},
});

async function bundleSignedBy(signer: Signer, name = 'chainloop.workflow.wf'): Promise<string> {
  return (await signStatement(statement(name), signer)).bundleJson;
}

async function keylessSigner(robot: ControlPlaneClient, runId: string): Promise<Signer> {
  const { signer, csrPem } = await generateEphemeralSigner();
  signer.setCertificateChain((await robot.requestSigningCertificate(runId, csrPem)).chainPem);
  return signer;
}

function keySigner(): { signer: Signer; publicKeyPem: string; privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signer: new KeySigner(privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

describe('signature verification when an attestation is stored', () => {
  let server: ControlPlaneProcess;
  let a: Awaited<ReturnType<typeof workflowWithRobot>>;
  let b: Awaited<ReturnType<typeof workflowWithRobot>>;
  const newRun = (crafting = a) => crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });

  before(async () => {
    server = await startControlPlaneProcess();
    a = await workflowWithRobot(server, 'wf-a');
    b = await workflowWithRobot(server, 'wf-b');
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  async function refused(runId: string, bundle: string, code: string, message: RegExp): Promise<void> {
    const answer = await call(server, 'POST', `/v1/runs/${runId}/attestation`, { token: a.token, json: { bundle } });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.json().code, code);
    assert.match(answer.json().message, message);
    assert.doesNotMatch(answer.json().message, /\n/);
    assert.equal((await a.robot.getRun(runId)).status, 'initialized', 'a refused bundle leaves the run open');
  }

  test('a keyless bundle certified for the run by this control plane is stored', async () => {
    const run = await newRun();
    const bundle = await bundleSignedBy(await keylessSigner(a.robot, run.id));
    assert.ok((await a.robot.storeAttestation(run.id, bundle)).digest);
    assert.equal((await a.robot.getRun(run.id)).status, 'succeeded');
  });

  test('a keyless bundle whose payload was changed after signing is refused', async () => {
    const run = await newRun();
    const bundle = JSON.parse(await bundleSignedBy(await keylessSigner(a.robot, run.id)));
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement('chainloop.workflow.forged'))).toString(
      'base64',
    );
    await refused(run.id, JSON.stringify(bundle), 'ATTESTATION_SIGNATURE_INVALID', /signature does not match/);
  });

  test('a certificate from another CA is refused, even when it names this workflow', async () => {
    const run = await newRun();
    const foreign = await createCertificateAuthority({ commonName: 'Chainloop TS control plane signing CA' });
    const { signer, csrPem } = await generateEphemeralSigner();
    const leaf = await issueSigningCertificate(foreign, csrPem, { subject: a.workflow.id, validityMinutes: 10 });
    signer.setCertificateChain([leaf, foreign.certificatePem]);
    await refused(
      run.id,
      await bundleSignedBy(signer),
      'ATTESTATION_CERTIFICATE_UNTRUSTED',
      /^attestation refused: the signing certificate .* was not issued by this control plane's CA: /,
    );
  });

  test("a certificate issued for another workflow's run is refused", async () => {
    const run = await newRun();
    const otherRun = await newRun(b);
    const bundle = await bundleSignedBy(await keylessSigner(b.robot, otherRun.id));
    await refused(
      run.id,
      bundle,
      'ATTESTATION_CERTIFICATE_WRONG_WORKFLOW',
      new RegExp(`issued for workflow ${b.workflow.id}, not for workflow "wf-a"`),
    );
  });

  test('a bundle certified for another run of the same workflow is refused (no replay across runs)', async () => {
    const first = await newRun();
    const second = await newRun();
    const bundle = await bundleSignedBy(await keylessSigner(a.robot, first.id));
    await refused(
      second.id,
      bundle,
      'ATTESTATION_CERTIFICATE_WRONG_RUN',
      new RegExp(`issued for run ${first.id}, not for run ${second.id}: push the attestation crafted for this run$`),
    );
    await a.robot.storeAttestation(first.id, bundle);
  });

  test('registered keys: once a workflow has any, key-signed bundles must verify with one of them', async () => {
    const registered = keySigner();
    const unregistered = keySigner();
    const admin = server.admin();

    // No key registered: accepted unverifiable, as the original does.
    const open = await newRun();
    await a.robot.storeAttestation(open.id, await bundleSignedBy(unregistered.signer));

    const key = await admin.addWorkflowKey('wf-a', { publicKeyPem: registered.publicKeyPem, name: 'release' });
    assert.match(key.fingerprint, /^sha256:[0-9a-f]{64}$/);
    const refusedRun = await newRun();
    await refused(
      refusedRun.id,
      await bundleSignedBy(unregistered.signer),
      'ATTESTATION_SIGNATURE_INVALID',
      /does not verify with any of the 1 public key\(s\) registered for workflow "wf-a"/,
    );
    await refused(refusedRun.id, '{"signed":true}', 'ATTESTATION_SIGNATURE_INVALID', /registered for workflow "wf-a"/);
    await a.robot.storeAttestation(refusedRun.id, await bundleSignedBy(registered.signer));
    assert.equal((await a.robot.getRun(refusedRun.id)).status, 'succeeded');

    // Keyless stays possible next to registered keys; other workflows are unaffected.
    const keyless = await newRun();
    await a.robot.storeAttestation(keyless.id, await bundleSignedBy(await keylessSigner(a.robot, keyless.id)));
    const otherWorkflow = await newRun(b);
    await b.robot.storeAttestation(otherWorkflow.id, await bundleSignedBy(unregistered.signer));

    await admin.removeWorkflowKey('wf-a', key.id);
    const afterRemoval = await newRun();
    await a.robot.storeAttestation(afterRemoval.id, await bundleSignedBy(unregistered.signer));
  });

  test('key registration: idempotent, listed, only public keys, admin only, removed once', async () => {
    const admin = server.admin();
    const { publicKeyPem } = keySigner();
    const first = await admin.addWorkflowKey('wf-b', { publicKeyPem });
    const again = await admin.addWorkflowKey(b.workflow.id, { publicKeyPem, name: 'renamed' });
    assert.deepEqual(again, first, 'the same key again is the registered one');
    assert.deepEqual(await admin.listWorkflowKeys('wf-b'), [first]);

    await assert.rejects(admin.addWorkflowKey('wf-b', { publicKeyPem: keySigner().privateKeyPem }), {
      code: 'PUBLIC_KEY_INVALID',
      message: /is not a public key; that is a private key/,
    });
    await assert.rejects(admin.addWorkflowKey('wf-b', { publicKeyPem: 'hello' }), { code: 'PUBLIC_KEY_INVALID' });
    const asRobot = await call(server, 'GET', '/v1/workflows/wf-b/keys', { token: b.token });
    assert.equal(asRobot.status, 403);

    await admin.removeWorkflowKey('wf-b', first.id);
    assert.deepEqual(await admin.listWorkflowKeys('wf-b'), []);
    await assert.rejects(admin.removeWorkflowKey('wf-b', first.id), { code: 'WORKFLOW_KEY_NOT_FOUND', status: 404 });
  });
});
