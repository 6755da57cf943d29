/**
 * Keyless signing end to end, with a real control plane process and the bundled CLI: `attestation push` without
 * --key in a GitHub Actions job gets a short-lived certificate from the control plane's CA, the stored bundle carries
 * it and verifies against that CA (our verifier, openssl, describe --verify); bundles the control plane did not
 * certify are refused on store; registered workflow keys gate key-signed pushes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createCertificateAuthority,
  generateEphemeralSigner,
  issueSigningCertificate,
  signStatement,
} from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { baseEnv, runCli } from './support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from './support/control-plane';
import { githubActionsEnv, signingKey, signingPassword, signingPublicKey } from './support/crafting';
import { vectors } from './support/paths';

const CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
    output: true
  - name: build-ref
    type: STRING
runner:
  type: GITHUB_ACTION
`;
const otherKey = join(vectors, 'keys', 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.key');
const otherKeyPassword = 'password';

let cp: TestControlPlane;
const scratch = mkdtempSync(join(tmpdir(), 'keyless-e2e-'));

before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A workspace in a simulated GitHub Actions job, crafting for a fresh workflow. */
async function job(name: string) {
  const workflow = await createWorkflowWithRobot(cp, {
    name,
    team: 'cyberdyne core',
    project: 'skynet',
    contract: CONTRACT,
  });
  const cwd = mkdtempSync(join(scratch, `${name}-`));
  writeFileSync(join(cwd, 'rootfs.tar.gz'), 'rootfs\n');
  const env = baseEnv({
    ...githubActionsEnv(),
    CHAINLOOP_ROBOT_ACCOUNT: workflow.robotToken,
    CHAINLOOP_CONTROL_PLANE_API: cp.url,
    TMPDIR: cwd,
  });
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra }, cwd });
  const craft = async (initArgs: string[] = []) => {
    const init = await cli(['attestation', 'init', ...initArgs]);
    assert.equal(init.status, 0, init.stderr);
    for (const [material, value] of [
      ['rootfs', 'rootfs.tar.gz'],
      ['build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a'],
    ]) {
      const add = await cli(['attestation', 'add', '--name', material, '--value', value]);
      assert.equal(add.status, 0, add.stderr);
    }
  };
  const admin = baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
  const adminCli = (args: string[]) => runCli(args, { env: admin, cwd });
  const robot = new ControlPlaneClient({ baseUrl: cp.url, token: workflow.robotToken });
  return { ...workflow, cwd, cli, craft, adminCli, robot };
}

describe('keyless push', () => {
  let keyless: Awaited<ReturnType<typeof job>>;
  let storedBundle: string;
  let runId: string;

  before(async () => {
    keyless = await job('keyless');
  });

  test('push without --key: the run succeeds and the stored bundle carries a certificate for the workflow', async () => {
    await keyless.craft();
    const push = await keyless.cli(['attestation', 'push', '--bundle', 'attestation.bundle.json']);
    assert.equal(push.status, 0, push.stderr);
    assert.match(push.stderr, /INF Attestation pushed!/);
    assert.doesNotMatch(push.stdout + push.stderr, /PRIVATE KEY/);

    const [run] = await cp.admin().listRuns({ workflow: 'keyless' });
    runId = run.id;
    assert.equal(run.status, 'succeeded');
    const stored = await cp.admin().getAttestation(run.id);
    storedBundle = stored.bundle;
    assert.equal(storedBundle, readFileSync(join(keyless.cwd, 'attestation.bundle.json'), 'utf8'));
    const material = JSON.parse(storedBundle).verificationMaterial;
    assert.deepEqual(Object.keys(material), ['certificate'], 'the leaf certificate, no public key hint');
    const leaf = new X509Certificate(Buffer.from(material.certificate.rawBytes, 'base64'));
    assert.equal(leaf.subject, `O=${keyless.workflowId}`);
    assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 10 * 60_000);
    assert.ok(leaf.verify(new X509Certificate((await cp.admin().getSigningCa()).certificatePem).publicKey));
  });

  test('attestation verify --cert-chain with the CA verifies it; another CA does not', async () => {
    const bundleFile = join(keyless.cwd, 'stored.bundle.json');
    const caFile = join(keyless.cwd, 'ca.pem');
    writeFileSync(bundleFile, storedBundle);
    writeFileSync(caFile, (await cp.admin().getSigningCa()).certificatePem);
    const verify = await keyless.cli(['attestation', 'verify', bundleFile, '--cert-chain', caFile, '-o', 'json']);
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(JSON.parse(verify.stdout).subjects[0].name, 'chainloop.workflow.keyless');

    const foreign = await createCertificateAuthority({ commonName: 'Chainloop TS control plane signing CA' });
    writeFileSync(join(keyless.cwd, 'foreign-ca.pem'), foreign.certificatePem);
    const wrongCa = await keyless.cli(['attestation', 'verify', bundleFile, '--cert-chain', 'foreign-ca.pem']);
    assert.equal(wrongCa.status, 1);
    assert.match(
      wrongCa.stderr,
      /^ERR attestation verification failed: certificate .* was not issued by the given CA chain/m,
    );
  });

  test('openssl agrees: the leaf chains to the CA at signing time, and signed the DSSE pre-authentication encoding', async () => {
    const bundle = JSON.parse(storedBundle);
    const leafDer = Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64');
    const leaf = new X509Certificate(leafDer);
    const dir = keyless.cwd;
    writeFileSync(join(dir, 'leaf.pem'), leaf.toString());
    writeFileSync(join(dir, 'leaf.pub'), leaf.publicKey.export({ type: 'spki', format: 'pem' }));
    const signedAt = String(Math.floor(Date.parse(leaf.validFrom) / 1000) + 1);
    const chain = execFileSync(
      'openssl',
      ['verify', '-purpose', 'any', '-attime', signedAt, '-CAfile', 'ca.pem', 'leaf.pem'],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.match(chain, /leaf\.pem: OK/);
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    // The signed bytes built independently of our preAuthEncoding, from the DSSE spec:
    // "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes.
    writeFileSync(join(dir, 'payload.bin'), payload);
    execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys; t = sys.argv[1].encode(); b = open("payload.bin", "rb").read(); ' +
          'open("pae.bin", "wb").write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(b), b))',
        bundle.dsseEnvelope.payloadType,
      ],
      { cwd: dir },
    );
    writeFileSync(join(dir, 'sig.der'), Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64'));
    const signature = execFileSync(
      'openssl',
      ['dgst', '-sha256', '-verify', 'leaf.pub', '-signature', 'sig.der', 'pae.bin'],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.match(signature, /Verified OK/);
  });

  test('workflow run describe --verify checks a keyless attestation with the control plane CA, no flags needed', async () => {
    const described = await keyless.adminCli(['workflow', 'run', 'describe', '--id', runId, '--verify']);
    assert.equal(described.status, 0, described.stderr);
    assert.match(
      described.stdout,
      new RegExp(`│ Verified\\s+│ Yes, signed by certificate "O=${keyless.workflowId}"\\s+│`),
    );
  });

  test('bundles the control plane did not certify for the run are refused on store, and the run stays open', async () => {
    const run = await keyless.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const statement = JSON.parse(Buffer.from(JSON.parse(storedBundle).dsseEnvelope.payload, 'base64').toString());

    // A certificate from another CA, even one naming this workflow.
    const foreign = await createCertificateAuthority({ commonName: 'Chainloop TS control plane signing CA' });
    const { signer, csrPem } = await generateEphemeralSigner();
    signer.setCertificateChain([
      await issueSigningCertificate(foreign, csrPem, { subject: keyless.workflowId, validityMinutes: 10 }),
      foreign.certificatePem,
    ]);
    const forged = await signStatement(statement, signer);
    await assert.rejects(keyless.robot.storeAttestation(run.id, forged.bundleJson), {
      code: 'ATTESTATION_CERTIFICATE_UNTRUSTED',
      message: /was not issued by this control plane's CA/,
    });

    // This run's bundle of another run: certified for that run, not this one.
    await assert.rejects(keyless.robot.storeAttestation(run.id, storedBundle), {
      code: 'ATTESTATION_CERTIFICATE_WRONG_RUN',
      message: new RegExp(`issued for run ${runId}, not for run ${run.id}`),
    });

    // A certificate for this run, but the payload edited after signing.
    const ours = await generateEphemeralSigner();
    ours.signer.setCertificateChain((await keyless.robot.requestSigningCertificate(run.id, ours.csrPem)).chainPem);
    statement.predicate.metadata.workflowRunID = run.id;
    const tampered = JSON.parse((await signStatement(statement, ours.signer)).bundleJson);
    statement.predicate.metadata.workflowRunID = runId;
    tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    await assert.rejects(keyless.robot.storeAttestation(run.id, JSON.stringify(tampered)), {
      code: 'ATTESTATION_SIGNATURE_INVALID',
      message: /signature does not match/,
    });
    assert.equal((await keyless.robot.getRun(run.id)).status, 'initialized');
  });

  test('in dry-run, push without --key fails with one line saying to pass --key; the state is kept', async () => {
    const dry = await job('keyless-dry-run');
    await dry.craft(['--dry-run']);
    const push = await dry.cli(['attestation', 'push']);
    assert.equal(push.status, 1);
    assert.match(
      push.stderr,
      /^ERR keyless signing needs a workflow run in the control plane and a dry run has none: pass a cosign key with --key FILE or --key env:\/\/VAR$/m,
    );
    assert.equal(
      push.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('ERR')).length,
      1,
    );
    const withKey = await dry.cli(['attestation', 'push', '--key', signingKey], {
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(withKey.status, 0, withKey.stderr);
  });
});

describe('registered workflow keys', () => {
  test('once a key is registered, a push signed by another key is refused and one signed by it is stored', async () => {
    const keyed = await job('keyed');
    const add = await keyed.adminCli([
      'workflow',
      'key',
      'add',
      '--workflow',
      'keyed',
      '--file',
      signingPublicKey,
      '--name',
      'release',
    ]);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /│ Fingerprint\s+│ sha256:[0-9a-f]{64}\s+│/);
    const listed = await keyed.adminCli(['workflow', 'key', 'list', '--workflow', 'keyed', '-o', 'json']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((key: { name: string }) => key.name),
      ['release'],
    );

    await keyed.craft();
    const unregistered = await keyed.cli(['attestation', 'push', '--key', otherKey], {
      CHAINLOOP_SIGNING_PASSWORD: otherKeyPassword,
    });
    assert.equal(unregistered.status, 1);
    assert.match(
      unregistered.stderr,
      /^ERR attestation refused: the attestation does not verify with any of the 1 public key\(s\) registered for workflow "keyed"/m,
    );
    const [run] = await cp.admin().listRuns({ workflow: 'keyed' });
    assert.equal(run.status, 'initialized');

    // The state survived the refusal: the same run is pushed again with the registered key.
    const registered = await keyed.cli(['attestation', 'push', '--key', signingKey], {
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(registered.status, 0, registered.stderr);
    assert.equal((await cp.admin().getRun(run.id)).status, 'succeeded');

    // describe --verify finds the registered key by itself.
    const described = await keyed.adminCli(['workflow', 'run', 'describe', '--id', run.id, '--verify']);
    assert.equal(described.status, 0, described.stderr);
    assert.match(described.stdout, /│ Verified\s+│ Yes, signed by public key release \(sha256:[0-9a-f]{64}\)\s+│/);

    // Keyless stays available next to registered keys.
    await keyed.craft();
    const keyless = await keyed.cli(['attestation', 'push']);
    assert.equal(keyless.status, 0, keyless.stderr);
  });

  test('key add refuses a private key file with one line; remove by id', async () => {
    const keyed = await job('keyed-remove');
    const privateKey = await keyed.adminCli([
      'workflow',
      'key',
      'add',
      '--workflow',
      'keyed-remove',
      '--file',
      signingKey,
    ]);
    assert.equal(privateKey.status, 1);
    assert.match(
      privateKey.stderr,
      /^ERR public key: PEM label "ENCRYPTED SIGSTORE PRIVATE KEY" is not a public key; that is a private key/m,
    );
    const add = await keyed.adminCli([
      'workflow',
      'key',
      'add',
      '--workflow',
      'keyed-remove',
      '--file',
      signingPublicKey,
      '-o',
      'json',
    ]);
    assert.equal(add.status, 0, add.stderr);
    const { id } = JSON.parse(add.stdout);
    const removed = await keyed.adminCli(['workflow', 'key', 'remove', '--workflow', 'keyed-remove', '--id', id]);
    assert.equal(removed.status, 0, removed.stderr);
    const again = await keyed.adminCli(['workflow', 'key', 'remove', '--workflow', 'keyed-remove', '--id', id]);
    assert.equal(again.status, 1);
    assert.match(
      again.stderr,
      /^ERR key .* is not registered for workflow "keyed-remove": list them with chainloop workflow key list$/m,
    );
  });
});
