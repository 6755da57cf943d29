/**
 * What one workflow's robot can see of another's, through the CLI and the API a CI job has: runs, attestations and CAS
 * blobs of other workflows do not exist for it. And the CAS keeps only bytes that hash to the digest they were sent
 * under: a corrupted upload is refused and nothing is stored, so nobody can later read wrong bytes under a digest.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { signingKey, signingPassword } from '../support/crafting';
import { type CraftingJob, craftingJob } from '../support/crafting-job';

const rootfsDigest = `sha256:${createHash('sha256').update('rootfs\n').digest('hex')}`;

describe('security: a robot sees only its own workflow', { timeout: 240_000 }, () => {
  let cp: TestControlPlane;
  let mine: CraftingJob;
  let theirs: CraftingJob;
  let myRunId: string;
  let theirRunId: string;
  const scratch = mkdtempSync(join(tmpdir(), 'isolation-e2e-'));

  /** Crafts and pushes one attestation; returns the id of its run. */
  const pushed = async (job: CraftingJob, workflow: string): Promise<string> => {
    await job.craft();
    const push = await job.cli(['attestation', 'push', '--key', signingKey], {
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(push.status, 0, push.stderr);
    const runs = await cp.admin().listRuns({ workflow });
    assert.equal(runs.length, 1);
    return runs[0].id;
  };

  before(async () => {
    cp = await startControlPlane();
    theirs = await craftingJob(cp, 'theirs', scratch);
    mine = await craftingJob(cp, 'mine', scratch);
    theirRunId = await pushed(theirs, 'theirs');
    myRunId = await pushed(mine, 'mine');
  });
  after(async () => {
    await cp?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const asMine = (path: string, init: RequestInit = {}) =>
    fetch(`${cp.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${mine.robotToken}`, ...(init.headers as Record<string, string>) },
    });

  // The CLI's workflow commands read CHAINLOOP_TOKEN; a CI job would export its robot token there.
  const myCli = (args: string[]) => mine.cli(args, { CHAINLOOP_TOKEN: mine.robotToken });

  test('the CLI with my robot token: my run is described, theirs does not exist, and the list holds only mine', async () => {
    const own = await myCli(['workflow', 'run', 'describe', '--id', myRunId, '-o', 'json']);
    assert.equal(own.status, 0, own.stderr);

    const other = await myCli(['workflow', 'run', 'describe', '--id', theirRunId]);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, new RegExp(`^ERR .*${theirRunId}.*\\n$`));
    assert.equal(other.stdout, '');

    const list = await myCli(['workflow', 'run', 'list', '-o', 'json']);
    assert.equal(list.status, 0, list.stderr);
    const ids = (JSON.parse(list.stdout) as Array<{ id: string }>).map((run) => run.id);
    assert.deepEqual(ids, [myRunId]);
  });

  test('the API with my robot token: their run and attestation (by run id or digest) are 404; mine are 200', async () => {
    const theirDigest = (await cp.admin().getAttestation(theirRunId)).digest;
    for (const path of [
      `/v1/runs/${theirRunId}`,
      `/v1/attestations/${theirRunId}`,
      `/v1/attestations/${theirDigest}`,
    ]) {
      const answer = await asMine(path);
      assert.equal(answer.status, 404, `${path}: ${await answer.text()}`);
    }
    for (const path of [`/v1/runs/${myRunId}`, `/v1/attestations/${myRunId}`]) {
      assert.equal((await asMine(path)).status, 200, path);
    }
  });

  test('a blob both workflows uploaded is readable by each; their attestation bundle through the CAS is not', async () => {
    // Both jobs uploaded the same rootfs bytes: each proved possession, so each may read them.
    assert.equal((await asMine(`/v1/cas/${rootfsDigest}`)).status, 200);
    const theirBundle = await cp.admin().getAttestation(theirRunId);
    const answer = await asMine(`/v1/cas/${theirBundle.digest}`, { method: 'HEAD' });
    assert.equal(answer.status, 404);
  });
});

describe('the CAS checks every digest it is sent', { timeout: 120_000 }, () => {
  let cp: TestControlPlane;
  let job: CraftingJob;
  const scratch = mkdtempSync(join(tmpdir(), 'cas-digest-e2e-'));
  before(async () => {
    cp = await startControlPlane();
    job = await craftingJob(cp, 'uploader', scratch);
  });
  after(async () => {
    await cp?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('bytes sent under a digest they do not hash to are refused with 400 and nothing is kept', async () => {
    const claimed = `sha256:${createHash('sha256').update('the real artifact\n').digest('hex')}`;
    const put = await fetch(`${cp.url}/v1/cas/${claimed}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${job.robotToken}`, 'content-type': 'application/octet-stream' },
      body: 'a corrupted artifact\n',
    });
    assert.equal(put.status, 400);
    const body = (await put.json()) as { code: string; message: string };
    assert.equal(body.code, 'DIGEST_MISMATCH');
    assert.doesNotMatch(body.message, /\n/);
    for (const token of [job.robotToken, cp.adminToken]) {
      const head = await fetch(`${cp.url}/v1/cas/${claimed}`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(head.status, 404, 'nothing is stored under the claimed digest');
    }

    // The right bytes afterwards are stored and read back unchanged.
    const good = await fetch(`${cp.url}/v1/cas/${claimed}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${job.robotToken}`, 'content-type': 'application/octet-stream' },
      body: 'the real artifact\n',
    });
    assert.equal(good.status, 201);
    const read = await fetch(`${cp.url}/v1/cas/${claimed}`, { headers: { authorization: `Bearer ${job.robotToken}` } });
    assert.equal(await read.text(), 'the real artifact\n');
  });
});
