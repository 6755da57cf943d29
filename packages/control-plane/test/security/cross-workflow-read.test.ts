/**
 * A workflow never reads another workflow's CAS blobs: naming a digest in a pushed statement grants nothing, and the
 * CAS answers the same whether or not another workflow stored the bytes (no existence oracle).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CAS_BACKENDS, type CasStoreUnderTest } from '../helpers/cas-backends';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const octets = { 'content-type': 'application/octet-stream' };

/** An unsigned-looking bundle (a key hint, no key registered: stored unverified) around a statement of `materials`. */
function bundleNaming(materials: unknown[], subjects: unknown[] = []): string {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'chainloop.workflow.attacker', digest: { sha256: hex('x') } }, ...subjects],
    predicateType: 'chainloop.dev/attestation/v0.2',
    predicate: { materials },
  };
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'not-a-registered-key' } },
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [{ keyid: '', sig: Buffer.from('not a signature').toString('base64') }],
    },
  });
}

const casMaterial = (name: string, digestHex: string) => ({
  name: `${name}.bin`,
  digest: { sha256: digestHex },
  annotations: {
    'chainloop.material.cas': true,
    'chainloop.material.name': name,
    'chainloop.material.type': 'ARTIFACT',
  },
});

for (const backend of CAS_BACKENDS)
  describe(`security: no cross-workflow reads (CAS: ${backend.name})`, { timeout: 120_000 }, () => {
    let server: ControlPlaneProcess;
    let store: CasStoreUnderTest;
    let victim: Awaited<ReturnType<typeof workflowWithRobot>>;
    let attacker: Awaited<ReturnType<typeof workflowWithRobot>>;
    const secret = randomBytes(4096);
    const secretDigest = `sha256:${hex(secret)}`;

    before(async () => {
      store = await backend.start();
      server = await startControlPlaneProcess({ args: store.args });
      victim = await workflowWithRobot(server, 'victim');
      attacker = await workflowWithRobot(server, 'attacker');
      const upload = await call(server, 'PUT', `/v1/cas/${secretDigest}`, {
        token: victim.token,
        body: secret,
        headers: octets,
      });
      assert.equal(upload.status, 201);
    });
    after(async () => {
      await server?.stop();
      await store?.stop();
      removeDir(server?.dataDir ?? '');
    });

    const readAs = (token: string, method = 'GET') => call(server, method, `/v1/cas/${secretDigest}`, { token });
    const newRun = () => attacker.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });

    test('a statement marking another workflow blob as an uploaded material is refused, naming the material', async () => {
      const run = await newRun();
      const bundle = bundleNaming([casMaterial('loot', hex(secret))]);
      const push = await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
        token: attacker.token,
        json: { bundle },
      });
      assert.equal(push.status, 400, push.text);
      assert.equal(push.json().code, 'MATERIAL_NOT_UPLOADED');
      assert.match(
        push.json().message,
        /^attestation refused: material "loot" \(sha256:[0-9a-f]{64}\) is marked as uploaded/,
      );
      assert.equal((await attacker.robot.getRun(run.id)).status, 'initialized');
      assert.equal((await readAs(attacker.token)).status, 404);
      assert.equal((await readAs(attacker.token, 'HEAD')).status, 404);
    });

    test('a stored statement that names the digest anywhere else grants nothing', async () => {
      const run = await newRun();
      const unmarked = { name: 'loot.bin', digest: { sha256: hex(secret) }, annotations: {} };
      const bundle = bundleNaming([unmarked], [{ name: 'loot', digest: { sha256: hex(secret) } }]);
      const push = await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
        token: attacker.token,
        json: { bundle },
      });
      assert.equal(push.status, 201, push.text);
      const read = await readAs(attacker.token);
      assert.equal(read.status, 404);
      assert.equal(read.json().code, 'BLOB_NOT_FOUND');
      assert.equal((await readAs(attacker.token, 'HEAD')).status, 404);
      assert.equal((await readAs(victim.token)).status, 200, 'the uploader still reads its blob');
      assert.equal((await readAs(server.adminToken)).status, 200, 'and so does the admin');
    });

    test('a workflow reads the stored attestations of its own runs through the CAS, and no one else’s', async () => {
      const run = await newRun();
      const bundle = bundleNaming([]);
      const { digest } = (
        await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
          token: attacker.token,
          json: { bundle },
        })
      ).json();
      const own = await call(server, 'GET', `/v1/cas/${digest}`, { token: attacker.token });
      assert.equal(own.status, 200);
      assert.equal(own.text, bundle);
      assert.equal(own.headers.get('content-length'), String(Buffer.byteLength(bundle)));
      assert.equal((await call(server, 'HEAD', `/v1/cas/${digest}`, { token: attacker.token })).status, 200);
      assert.equal((await call(server, 'GET', `/v1/cas/${digest}`, { token: victim.token })).status, 404);
    });

    test('no existence oracle: PUT answers 201 whether or not another workflow stored the bytes', async () => {
      const fresh = randomBytes(1024);
      const forFresh = await call(server, 'PUT', `/v1/cas/sha256:${hex(fresh)}`, {
        token: attacker.token,
        body: fresh,
        headers: octets,
      });
      const forSecret = await call(server, 'PUT', `/v1/cas/${secretDigest}`, {
        token: attacker.token,
        body: secret,
        headers: octets,
      });
      assert.equal(forFresh.status, 201);
      assert.equal(forSecret.status, 201, 'the same status as for bytes nobody stored');
      assert.deepEqual(Object.keys(forSecret.json()).sort(), ['digest', 'size']);
      // Proof of possession: having sent the whole bytes, the attacker may now read them (it has them anyway).
      assert.equal((await readAs(attacker.token)).status, 200);
      // Sent again by a workflow that can read them already: 200, drained without storing anything.
      const again = await call(server, 'PUT', `/v1/cas/${secretDigest}`, {
        token: attacker.token,
        body: secret,
        headers: octets,
      });
      assert.equal(again.status, 200);
    });

    test('no existence oracle: HEAD and GET of an unreadable blob answer as for a blob that does not exist', async () => {
      const other = await workflowWithRobot(server, 'bystander');
      const absent = `sha256:${hex(randomBytes(32))}`;
      for (const method of ['GET', 'HEAD']) {
        const existing = await call(server, method, `/v1/cas/${secretDigest}`, { token: other.token });
        const missing = await call(server, method, `/v1/cas/${absent}`, { token: other.token });
        assert.equal(existing.status, 404);
        assert.equal(missing.status, 404);
        assert.equal(existing.text.replace(secretDigest, 'D'), missing.text.replace(absent, 'D'));
        assert.equal(existing.headers.get('content-length'), missing.headers.get('content-length'));
      }
    });
  });
