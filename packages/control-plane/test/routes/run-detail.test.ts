/**
 * The web UI's run detail and its downloads, over runs crafted the way a CI job crafts them (core's init, add and
 * push against the real control plane, signed with a cosign key from the fixtures or keyless): what the statement
 * says (materials, env, annotations) read from the stored bundle, the statement text exactly as signed, CAS sizes,
 * and whether the stored bundle verifies now — with a registered key (named), without one, with a key that is not
 * the registered one, keyless (the certificate named), and after the stored bytes were changed in the database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSigningKey, type Signer, verifyAttestation } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient, createKeylessSigner } from '@chainloop-ts/core/client';
import { addMaterial, initAttestation, pushAttestation, silentLogger } from '@chainloop-ts/core/crafter';
import Database from 'better-sqlite3';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const keys = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const SIGNING_KEY = join(keys, 'generated__p256_N65536.key');
const SIGNING_PUBLIC_KEY = readFileSync(join(keys, 'generated__p256_N65536.pub'), 'utf8');
const SIGNING_PASSWORD = 'correct horse battery staple';
const OTHER_PUBLIC_KEY = readFileSync(
  join(keys, 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.derived.pub'),
  'utf8',
);

const CONTRACT = `schemaVersion: v1
envAllowList:
  - RELEASE_CHANNEL
materials:
  - name: build-ref
    type: STRING
  - name: rootfs
    type: ARTIFACT
    annotations:
      - name: owner
        value: platform
  - name: test-log
    type: ARTIFACT
    skip_upload: true
`;

/** A GitHub Actions job's environment, as the runner sets it. */
const JOB_ENV = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: 'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
  RUNNER_NAME: 'Hosted Agent',
  RUNNER_OS: 'Linux',
  GITHUB_ACTOR: 'release-bot',
  GITHUB_REF: 'refs/tags/v1.4.0',
  GITHUB_REPOSITORY: 'acme/rocket',
  GITHUB_REPOSITORY_OWNER: 'acme',
  GITHUB_RUN_ID: '1400',
  GITHUB_SERVER_URL: 'https://github.com',
  RELEASE_CHANNEL: 'stable',
};
const JOB_URL = 'https://github.com/acme/rocket/actions/runs/1400';
const ROOTFS = 'rootfs bytes of release 1.4\n';
const BUILD_REF = 'v1.4.0 <script>alert(1)</script>';

const sha256 = (bytes: string | Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const payloadOf = (bundle: string) => Buffer.from(JSON.parse(bundle).dsseEnvelope.payload, 'base64');

/** The parts of a stored Sigstore bundle the tampering below changes. */
interface StoredBundleJson {
  dsseEnvelope: { payload: string; signatures: Array<{ sig: string }> };
  [field: string]: unknown;
}

interface Detail {
  run: { id: string; status: string; runnerType: string; jobUrl: string; createdAt: string; finishedAt?: string };
  timeline: Array<{ event: string; at: string; reason?: string }>;
  attestation?: {
    digest: string;
    createdAt: string;
    statement: string;
    materials: Array<Record<string, unknown>>;
    env: Record<string, string>;
    annotations: Record<string, string>;
    runnerUrl?: string;
  };
  verification?: { verified: boolean; signer: Record<string, string>; reason?: string };
  offlineVerification?: { command: string; materialFileName: string };
}

describe('run detail and downloads', { timeout: 240_000 }, () => {
  let server: ControlPlaneProcess;
  let release: Awaited<ReturnType<typeof workflowWithRobot>>;
  let registeredKey: { id: string; name: string; fingerprint: string; publicKeyPem: string };
  let signingKey: Signer;
  const workdir = mkdtempSync(join(tmpdir(), 'cp-run-detail-'));

  /** init → add build-ref, rootfs, test-log → push, as a CI job of the workflow; answers the run id. */
  async function craft(robotToken: string, sign: 'key' | 'keyless'): Promise<string> {
    const cwd = mkdtempSync(join(workdir, 'job-'));
    writeFileSync(join(cwd, 'rootfs.tar.gz'), ROOTFS);
    writeFileSync(join(cwd, 'test.log'), 'all green\n');
    const client = new ControlPlaneClient({ baseUrl: server.url, token: robotToken, retries: 0 });
    const context = { env: JOB_ENV, cwd, log: silentLogger, client };
    const { state, store } = await initAttestation(context, {
      dryRun: false,
      remoteState: false,
      replace: false,
      localStatePath: join(cwd, 'state.json'),
    });
    const runId = state.workflow.runId;
    assert.ok(runId);
    await addMaterial(context, store, { name: 'build-ref', value: BUILD_REF, annotations: {} });
    await addMaterial(context, store, {
      name: 'rootfs',
      value: join(cwd, 'rootfs.tar.gz'),
      annotations: { 'reviewed-by': '<img src=x onerror=alert(1)>' },
    });
    await addMaterial(context, store, { name: 'test-log', value: join(cwd, 'test.log'), annotations: {} });
    await pushAttestation(context, store, {
      signer: async () => (sign === 'key' ? signingKey : createKeylessSigner(client, runId)),
      annotations: { release: '1.4' },
      retryDelaysMs: [],
    });
    return runId;
  }

  const detailOf = async (runId: string): Promise<Detail> => {
    const answer = await call(server, 'GET', `/v1/runs/${runId}/detail`, { token: server.adminToken });
    assert.equal(answer.status, 200, answer.text);
    return answer.json();
  };
  const storedBundle = async (runId: string): Promise<string> => (await server.admin().getAttestation(runId)).bundle;

  /** Rewrites the stored bundle in the database, as someone with access to it could. */
  const tamper = async (runId: string, edit: (bundle: StoredBundleJson) => void) => {
    const bundle = JSON.parse(await storedBundle(runId));
    edit(bundle);
    const db = new Database(join(server.dataDir, 'control-plane.db'));
    try {
      db.pragma('busy_timeout = 5000');
      const changed = db
        .prepare('UPDATE attestations SET bundle = ? WHERE run_id = ?')
        .run(JSON.stringify(bundle), runId);
      assert.equal(changed.changes, 1);
    } finally {
      db.close();
    }
  };

  before(async () => {
    server = await startControlPlaneProcess();
    signingKey = await loadSigningKey(SIGNING_KEY, { password: SIGNING_PASSWORD });
    release = await workflowWithRobot(server, 'release', CONTRACT);
    registeredKey = await server
      .admin()
      .addWorkflowKey('release', { publicKeyPem: SIGNING_PUBLIC_KEY, name: 'Release key 1.4 / prod' });
  });
  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir ?? '');
    removeDir(workdir);
  });

  test('a key-signed run: statement as signed, materials, env and annotations from it, verified with the named key', async () => {
    const runId = await craft(release.token, 'key');
    const detail = await detailOf(runId);
    const run = await server.admin().getRun(runId);
    assert.equal(detail.run.status, 'succeeded');
    assert.equal(detail.run.runnerType, 'GITHUB_ACTION');
    assert.equal(detail.run.jobUrl, JOB_URL);
    assert.deepEqual(detail.timeline, [
      { event: 'initialized', at: run.createdAt },
      { event: 'pushed', at: run.finishedAt },
    ]);

    const bundle = await storedBundle(runId);
    const attestation = detail.attestation;
    assert.ok(attestation);
    assert.equal(attestation.digest, run.attestationDigest);
    assert.ok(
      Buffer.from(attestation.statement, 'utf8').equals(payloadOf(bundle)),
      'the statement is the signed payload, byte for byte',
    );
    const runnerContext = attestation.materials.find((material) => material.name === 'runner-context');
    assert.match(String(runnerContext?.digest), /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(attestation.materials, [
      {
        name: 'build-ref',
        kind: 'STRING',
        value: BUILD_REF,
        digest: sha256(BUILD_REF),
        downloadable: false,
        annotations: {},
      },
      {
        name: 'rootfs',
        kind: 'ARTIFACT',
        fileName: 'rootfs.tar.gz',
        digest: sha256(ROOTFS),
        size: Buffer.byteLength(ROOTFS),
        downloadable: true,
        annotations: { owner: 'platform', 'reviewed-by': '<img src=x onerror=alert(1)>' },
      },
      // Collected by init in the CI job (its document carries the time it was generated: digest and size vary).
      {
        name: 'runner-context',
        kind: 'CHAINLOOP_RUNNER_CONTEXT',
        fileName: 'runner-context.json',
        digest: runnerContext?.digest,
        size: runnerContext?.size,
        downloadable: true,
        annotations: {},
      },
      {
        name: 'test-log',
        kind: 'ARTIFACT',
        fileName: 'test.log',
        digest: sha256('all green\n'),
        downloadable: false,
        annotations: {},
      },
    ]);
    assert.equal(attestation.env.RELEASE_CHANNEL, 'stable');
    assert.equal(attestation.env.GITHUB_SHA, JOB_ENV.GITHUB_SHA);
    assert.deepEqual(attestation.annotations, { release: '1.4' });
    assert.equal(attestation.runnerUrl, JOB_URL);

    assert.deepEqual(detail.verification, {
      verified: true,
      signer: {
        kind: 'key',
        keyId: registeredKey.id,
        keyName: 'Release key 1.4 / prod',
        fingerprint: registeredKey.fingerprint,
      },
    });
    assert.deepEqual(detail.offlineVerification, {
      command: `chainloop attestation verify attestation-${runId}.sigstore.json --key Release-key-1.4-prod.pub`,
      materialFileName: 'Release-key-1.4-prod.pub',
    });
  });

  test('downloads: the bundle byte for byte, its DSSE envelope (verifies with the key), the key, CAS blobs by name', async () => {
    const runId = await craft(release.token, 'key');
    const run = await server.admin().getRun(runId);
    const token = server.adminToken;

    const bundle = await call(server, 'GET', `/v1/runs/${runId}/bundle`, { token });
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(
      bundle.headers.get('content-disposition'),
      `attachment; filename="attestation-${runId}.sigstore.json"`,
    );
    assert.equal(bundle.text, await storedBundle(runId));
    assert.equal(sha256(bundle.text), run.attestationDigest, 'the bytes hash to the attestation digest');

    const envelope = await call(server, 'GET', `/v1/runs/${runId}/envelope`, { token });
    assert.equal(envelope.status, 200);
    assert.equal(envelope.headers.get('content-disposition'), `attachment; filename="attestation-${runId}.dsse.json"`);
    assert.deepEqual(Object.keys(envelope.json()).sort(), ['payload', 'payloadType', 'signatures']);
    const verified = await verifyAttestation(envelope.text, { publicKeyPem: SIGNING_PUBLIC_KEY });
    assert.ok(verified.payload.equals(payloadOf(bundle.text)));
    await assert.rejects(verifyAttestation(envelope.text, { publicKeyPem: OTHER_PUBLIC_KEY }), {
      code: 'VERIFICATION_FAILED',
    });

    const material = await call(server, 'GET', `/v1/runs/${runId}/verification-material`, { token });
    assert.equal(material.status, 200);
    assert.equal(material.headers.get('content-disposition'), 'attachment; filename="Release-key-1.4-prod.pub"');
    assert.equal(material.text, registeredKey.publicKeyPem);

    const blob = await call(server, 'GET', `/v1/cas/${sha256(ROOTFS)}?name=rootfs.tar.gz`, { token });
    assert.equal(blob.status, 200);
    assert.equal(blob.text, ROOTFS);
    assert.equal(blob.headers.get('content-disposition'), "attachment; filename*=UTF-8''rootfs.tar.gz");
    const named = await call(
      server,
      'GET',
      `/v1/cas/${sha256(ROOTFS)}?name=${encodeURIComponent("../dist/ré sumé (1)'.tar.gz")}`,
      { token },
    );
    assert.equal(
      named.headers.get('content-disposition'),
      "attachment; filename*=UTF-8''r%C3%A9%20sum%C3%A9%20%281%29%27.tar.gz",
      'the base name only, percent-encoded UTF-8',
    );
    const plain = await call(server, 'GET', `/v1/cas/${sha256(ROOTFS)}`, { token });
    assert.equal(plain.headers.get('content-disposition'), null, 'without ?name the blob is not an attachment');
  });

  test('a keyless run verifies with this CA and names the certificate; the CA chain is its verification material', async () => {
    const runId = await craft(release.token, 'keyless');
    const detail = await detailOf(runId);
    assert.equal(detail.verification?.verified, true, detail.verification?.reason);
    const signer = detail.verification?.signer ?? {};
    assert.equal(signer.kind, 'certificate');
    assert.equal(signer.subject, `O=${release.workflow.id}`);
    assert.match(signer.issuer, /CN=Chainloop TS control plane signing CA/);
    assert.match(signer.serial, /^[0-9A-F]+$/);
    assert.ok(Date.parse(signer.notAfter) - Date.parse(signer.notBefore) <= 11 * 60 * 1000, 'a short-lived leaf');
    assert.equal(detail.verification?.reason, undefined);
    assert.deepEqual(detail.offlineVerification, {
      command: `chainloop attestation verify attestation-${runId}.sigstore.json --cert-chain chainloop-ca.pem`,
      materialFileName: 'chainloop-ca.pem',
    });
    const material = await call(server, 'GET', `/v1/runs/${runId}/verification-material`, {
      token: server.adminToken,
    });
    assert.equal(material.status, 200);
    assert.equal(material.headers.get('content-disposition'), 'attachment; filename="chainloop-ca.pem"');
    assert.equal(material.text.trim(), readFileSync(join(server.dataDir, 'signing-ca', 'ca.pem'), 'utf8').trim());
    await verifyAttestation(await storedBundle(runId), { chainPem: material.text });
  });

  test('no registered key: not verified, saying so; no verification material', async () => {
    const unkeyed = await workflowWithRobot(server, 'unkeyed', CONTRACT);
    const runId = await craft(unkeyed.token, 'key');
    const detail = await detailOf(runId);
    assert.deepEqual(detail.verification, {
      verified: false,
      signer: { kind: 'key' },
      reason: 'the workflow has no registered key: the signature was not checked against a trusted key',
    });
    assert.equal(detail.offlineVerification, undefined);
    assert.ok(detail.attestation?.statement, 'the statement is shown all the same');
    const material = await call(server, 'GET', `/v1/runs/${runId}/verification-material`, {
      token: server.adminToken,
    });
    assert.equal(material.status, 404);
    assert.equal(material.json().code, 'VERIFICATION_MATERIAL_NOT_FOUND');
    assert.doesNotMatch(material.json().message, /\n/);
  });

  test('signed with a key that is not the registered one: not verified, with the reason', async () => {
    const rotated = await workflowWithRobot(server, 'rotated', CONTRACT);
    const runId = await craft(rotated.token, 'key');
    // The key registered afterwards is another one: the stored bundle is checked against today's keys.
    await server.admin().addWorkflowKey('rotated', { publicKeyPem: OTHER_PUBLIC_KEY, name: 'new' });
    const detail = await detailOf(runId);
    assert.equal(detail.verification?.verified, false);
    assert.deepEqual(detail.verification?.signer, { kind: 'key' });
    assert.match(
      detail.verification?.reason ?? '',
      /^the attestation does not verify with any of the 1 public key\(s\) registered for workflow "rotated": the signature does not match/,
    );
    assert.equal(detail.offlineVerification, undefined);
  });

  test('a stored bundle changed in the database is not verified, with the signature error; never a server error', async () => {
    const reasonAfter = async (runId: string, edit: (bundle: StoredBundleJson) => void) => {
      await tamper(runId, edit);
      const detail = await detailOf(runId);
      assert.equal(detail.verification?.verified, false);
      assert.doesNotMatch(detail.verification?.reason ?? '', /\n/);
      return detail;
    };
    const changePayload = (bundle: StoredBundleJson) => {
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
      statement.predicate.annotations.release = '6.6.6';
      bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    };

    const keyed = await reasonAfter(await craft(release.token, 'key'), changePayload);
    assert.match(keyed.verification?.reason ?? '', /registered for workflow "release": the signature does not match/);
    assert.deepEqual(keyed.attestation?.annotations, { release: '6.6.6' }, 'what is stored now is shown');

    const keyless = await reasonAfter(await craft(release.token, 'keyless'), changePayload);
    assert.equal(keyless.verification?.signer.kind, 'certificate');
    assert.match(keyless.verification?.reason ?? '', /^the signature does not match/);

    const signature = await reasonAfter(await craft(release.token, 'key'), (bundle) => {
      const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
      sig[sig.length - 1] ^= 0xff;
      bundle.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    });
    assert.match(signature.verification?.reason ?? '', /the signature does not match/);

    // Bytes changed without touching what is signed: the signature holds, the digest does not.
    const bytes = await reasonAfter(await craft(release.token, 'key'), (bundle) => {
      bundle.extra = 'added later';
    });
    assert.match(bytes.verification?.reason ?? '', /^the stored bundle no longer hashes to its digest sha256:/);

    const unreadableRun = await craft(release.token, 'key');
    const db = new Database(join(server.dataDir, 'control-plane.db'));
    try {
      db.prepare('UPDATE attestations SET bundle = ? WHERE run_id = ?').run('{"not": "a bundle"', unreadableRun);
    } finally {
      db.close();
    }
    const unreadable = await detailOf(unreadableRun);
    assert.deepEqual(unreadable.verification, {
      verified: false,
      signer: { kind: 'unknown' },
      reason: 'the attestation bundle is not JSON: push the bundle the CLI rendered',
    });
    assert.equal(unreadable.attestation?.statement, '');
  });

  test('failed and cancelled runs: the timeline ends with the reason; no attestation, no downloads', async () => {
    const { robot } = release;
    const failed = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION', jobUrl: JOB_URL });
    await robot.resetRun(failed.id, { trigger: 'failure', reason: 'unit tests failed' });
    const cancelled = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    await robot.resetRun(cancelled.id, { trigger: 'cancellation', reason: 'superseded by run 1401' });
    const open = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });

    const failedDetail = await detailOf(failed.id);
    const finishedAt = (await server.admin().getRun(failed.id)).finishedAt;
    assert.deepEqual(failedDetail.timeline, [
      { event: 'initialized', at: failed.createdAt },
      { event: 'failed', at: finishedAt, reason: 'unit tests failed' },
    ]);
    assert.equal(failedDetail.attestation, undefined);
    assert.equal(failedDetail.verification, undefined);
    assert.equal(failedDetail.offlineVerification, undefined);
    assert.deepEqual(
      (await detailOf(cancelled.id)).timeline.map((entry) => [entry.event, entry.reason]),
      [
        ['initialized', undefined],
        ['cancelled', 'superseded by run 1401'],
      ],
    );
    assert.deepEqual((await detailOf(open.id)).timeline, [{ event: 'initialized', at: open.createdAt }]);

    for (const download of ['bundle', 'envelope', 'verification-material']) {
      const answer = await call(server, 'GET', `/v1/runs/${failed.id}/${download}`, { token: server.adminToken });
      assert.equal(answer.status, 404, download);
      assert.equal(answer.json().code, 'ATTESTATION_NOT_FOUND');
      assert.match(
        answer.json().message,
        new RegExp(`^workflow run ${failed.id} has no attestation \\(status failed\\)`),
      );
    }
    const robotCall = await call(server, 'GET', `/v1/runs/${failed.id}/detail`, { token: release.token });
    assert.equal(robotCall.status, 403, 'the detail is for admins');
    const missing = await call(server, 'GET', '/v1/runs/no-such-run/detail', { token: server.adminToken });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().code, 'RUN_NOT_FOUND');
  });
});
