import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

describe('runs, remote state and attestations', () => {
  let server: ControlPlaneProcess;
  let crafting: Awaited<ReturnType<typeof workflowWithRobot>>;

  before(async () => {
    // A short expiry so the sweep can be observed; the runs below finish well within it.
    server = await startControlPlaneProcess({ args: ['--run-expiry', '5s', '--max-body-size', '1MiB'] });
    crafting = await workflowWithRobot(server, 'build-and-test');
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('init creates an initialized run on the latest contract revision; unknown revisions are refused', async () => {
    const run = await crafting.robot.createRun({
      contractRevision: 2,
      runnerType: 'GITLAB_PIPELINE',
      jobUrl: 'https://ci/job/1',
    });
    assert.equal(run.status, 'initialized');
    assert.equal(run.workflowName, 'build-and-test');
    assert.equal(run.jobUrl, 'https://ci/job/1');
    await assert.rejects(crafting.robot.createRun({ contractRevision: 7, runnerType: 'GITLAB_PIPELINE' }), {
      code: 'CONTRACT_REVISION_NOT_FOUND',
    });
    await assert.rejects(crafting.robot.createRun({ contractRevision: 2, runnerType: 'NOT_A_CI' }), {
      code: 'INVALID_REQUEST',
    });
  });

  test('remote state: a stale ETag gets 409 STATE_CONFLICT and the newer state survives', async () => {
    const { robot } = crafting;
    const run = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    assert.equal(await robot.readRunState(run.id), undefined);

    const first = await robot.writeRunState(run.id, { materials: [] });
    await assert.rejects(robot.writeRunState(run.id, { materials: ['created twice'] }), { code: 'STATE_CONFLICT' });

    // Two jobs read the same version; the first writer wins, the second must re-read.
    const read = await robot.readRunState(run.id);
    assert.equal(read?.etag, first.etag);
    const jobA = await robot.writeRunState(run.id, { materials: ['a'] }, read?.etag);
    await assert.rejects(robot.writeRunState(run.id, { materials: ['b'] }, read?.etag), {
      code: 'STATE_CONFLICT',
      status: 409,
    });
    const current = await robot.readRunState(run.id);
    assert.deepEqual(current?.state, { materials: ['a'] });
    assert.equal(current?.etag, jobA.etag);
    await robot.writeRunState(run.id, { materials: ['a', 'b'] }, current?.etag);
    assert.deepEqual((await robot.readRunState(run.id))?.state, { materials: ['a', 'b'] });

    const unconditional = await call(server, 'PUT', `/v1/runs/${run.id}/state`, {
      token: crafting.token,
      json: { state: { clobbered: true } },
    });
    assert.equal(unconditional.status, 428);
    assert.deepEqual((await robot.readRunState(run.id))?.state, { materials: ['a', 'b'] });

    await robot.deleteRunState(run.id);
    assert.equal(await robot.readRunState(run.id), undefined);
  });

  test('storing an attestation keeps the bytes verbatim, digests them and marks the run succeeded; a retry is harmless', async () => {
    const { robot } = crafting;
    const run = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const bundle = '{ "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",  "spaces" : "kept" }\n';
    const expected = `sha256:${createHash('sha256').update(bundle).digest('hex')}`;
    assert.deepEqual(await robot.storeAttestation(run.id, bundle), { digest: expected });
    assert.deepEqual(await robot.storeAttestation(run.id, bundle), { digest: expected });
    await assert.rejects(robot.storeAttestation(run.id, '{"other":1}'), { code: 'RUN_ALREADY_ATTESTED' });

    const stored = await server.admin().getAttestation(expected);
    assert.equal(stored.bundle, bundle);
    assert.equal(stored.runId, run.id);
    assert.equal((await server.admin().getAttestation(run.id)).digest, expected);

    const after = await server.admin().getRun(run.id);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.attestationDigest, expected);
    assert.ok(after.finishedAt);

    // Reset after a push is a harmless no-op; state writes are refused once the run is over.
    const reset = await robot.resetRun(run.id, { trigger: 'failure', reason: 'late' });
    assert.equal(reset.status, 'succeeded');
    assert.equal(reset.trigger, undefined);
    await assert.rejects(robot.writeRunState(run.id, {}), { code: 'RUN_NOT_ACTIVE' });
  });

  test('reset marks failed or cancelled with trigger and reason; an attestation after that is refused', async () => {
    const { robot } = crafting;
    const failed = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const afterFailure = await robot.resetRun(failed.id, { trigger: 'failure', reason: 'tests failed' });
    assert.equal(afterFailure.status, 'failed');
    assert.equal(afterFailure.trigger, 'failure');
    assert.equal(afterFailure.reason, 'tests failed');
    await assert.rejects(robot.storeAttestation(failed.id, '{}'), { code: 'RUN_NOT_ACTIVE' });

    const cancelled = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    assert.equal((await robot.resetRun(cancelled.id, { trigger: 'cancellation' })).status, 'cancelled');
    assert.equal((await robot.resetRun(cancelled.id, { trigger: 'failure' })).status, 'cancelled');
  });

  test('a bundle that is not JSON is refused and the run stays initialized', async () => {
    const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    await assert.rejects(crafting.robot.storeAttestation(run.id, 'not json'), { code: 'ATTESTATION_INVALID' });
    assert.equal((await server.admin().getRun(run.id)).status, 'initialized');
  });

  test('a JSON body over the limit gets 413 in the error shape and stores nothing', async () => {
    const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const huge = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const response = await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
      token: crafting.token,
      json: { bundle: huge },
    });
    assert.equal(response.status, 413);
    assert.equal(response.json().code, 'BODY_TOO_LARGE');
    await assert.rejects(crafting.robot.storeAttestation(run.id, huge), { code: 'BODY_TOO_LARGE' });
    assert.equal((await server.admin().getRun(run.id)).status, 'initialized');
  });

  test('32 concurrent crafting clients: every run, state and attestation is kept, no errors', async () => {
    const { robot } = crafting;
    const results = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const run = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION', jobUrl: `job-${i}` });
        const { etag } = await robot.writeRunState(run.id, { job: i });
        await robot.writeRunState(run.id, { job: i, done: true }, etag);
        const { digest } = await robot.storeAttestation(run.id, JSON.stringify({ job: i }));
        return { run, digest };
      }),
    );
    for (const [i, { run, digest }] of results.entries()) {
      const stored = await server.admin().getRun(run.id);
      assert.equal(stored.status, 'succeeded');
      assert.equal(stored.jobUrl, `job-${i}`);
      assert.equal(stored.attestationDigest, digest);
      assert.deepEqual((await robot.readRunState(run.id))?.state, { job: i, done: true });
    }
  });

  test('runs left initialized past --run-expiry become expired; run list filters by workflow', async () => {
    const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const other = await workflowWithRobot(server, 'other');
    await other.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    let status = '';
    for (let i = 0; i < 80 && status !== 'expired'; i++) {
      await sleep(250);
      status = (await server.admin().getRun(run.id)).status;
    }
    assert.equal(status, 'expired');
    const listed = await server.admin().listRuns({ workflow: 'other' });
    assert.equal(listed.length, 1);
    assert.equal(listed[0].workflowName, 'other');
    assert.ok((await server.admin().listRuns()).length > listed.length);
  });
});
