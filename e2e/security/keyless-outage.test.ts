/**
 * A keyless push survives a control plane outage as a key-signed one does: the signing-certificate request is retried
 * with the push's backoff. The control plane (a real process) is down when the push starts and comes back ~3 s later,
 * on the same port and data directory.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { craftingJob } from '../support/crafting-job';

const scratch = mkdtempSync(join(tmpdir(), 'keyless-outage-e2e-'));
const dataDir = mkdtempSync(join(scratch, 'data-'));
let cp: TestControlPlane | undefined;

after(async () => {
  await cp?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('keyless push during a control plane outage', { timeout: 90_000 }, () => {
  test('the control plane is down for ~3 s: push without --key retries, exits 0, and the run holds a verifiable keyless attestation', async () => {
    cp = await startControlPlane({ dataDir });
    const { adminToken } = cp;
    const port = new URL(cp.url).port;
    const job = await craftingJob(cp, 'keyless-outage', scratch);
    await job.craft();

    await cp.stop();
    const started = Date.now();
    const pushing = job.cli(['attestation', 'push', '-o', 'json']);
    await new Promise((done) => setTimeout(done, 3000));
    cp = await startControlPlane({ dataDir, adminToken, args: ['--listen', `127.0.0.1:${port}`] });
    assert.equal(new URL(cp.url).port, port, 'restarted on the same port');
    const push = await pushing;
    assert.equal(push.status, 0, push.stderr);
    assert.ok(Date.now() - started >= 3000, 'the push outlived the outage');
    assert.match(push.stderr, /^WRN control plane not reachable, retrying push in \d+ ms$/m);
    assert.match(push.stderr, /^INF Attestation pushed!$/m);
    const { digest } = JSON.parse(push.stdout);

    const [run] = await cp.admin().listRuns({ workflow: 'keyless-outage' });
    assert.equal(run.status, 'succeeded');
    const stored = await cp.admin().getAttestation(run.id);
    assert.equal(stored.digest, digest);
    const material = JSON.parse(stored.bundle).verificationMaterial;
    assert.deepEqual(Object.keys(material), ['certificate'], 'signed keylessly: the leaf certificate, no key hint');
    const leaf = new X509Certificate(Buffer.from(material.certificate.rawBytes, 'base64'));
    assert.equal(leaf.subject, `O=${job.workflowId}`);

    const bundleFile = join(job.cwd, 'stored.bundle.json');
    const caFile = join(job.cwd, 'ca.pem');
    writeFileSync(bundleFile, stored.bundle);
    writeFileSync(caFile, (await cp.admin().getSigningCa()).certificatePem);
    const verify = await job.cli(['attestation', 'verify', bundleFile, '--cert-chain', caFile, '-o', 'json']);
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(JSON.parse(verify.stdout).subjects[0].name, 'chainloop.workflow.keyless-outage');
  });
});
