import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { cliOrigin, exampleUsage, stepStatuses } from '../harness/example';
import { filesHoldingSecrets } from '../harness/secret-scan';
import { describeFailures, workflowTranscript } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

test('multi-job example: three jobs in separate shells and containers make one attestation with every material', {
  timeout: 120_000,
}, async () => {
  const { result, pipeline } = await backend.run(exampleUsage(backend.orb, 'multi-job'));
  assert.deepEqual(
    result.jobs.map((job) => [job.name, job.status]),
    [
      ['build', 'success'],
      ['test', 'success'],
      ['chainloop/attach-materials', 'success'],
    ],
    describeFailures(result),
  );
  const [build, testJob, attach] = result.jobs;
  // As pasted: every job's install took the CLI from the control plane in the context.
  for (const job of result.jobs) {
    assert.equal(cliOrigin(job), `downloaded from the control plane, sha256 ${backend.cliSha256}`, job.name);
  }
  // Separate containers: each job had its own HOME, so only the workspace carried the attestation ID across.
  assert.equal(new Set(result.jobs.map((job) => job.dir)).size, 3);
  const idFile = readFileSync(join(build.dir, 'home', 'workspace', 'chainloop-attestation.env'), 'utf8');
  const attestationId = /^CHAINLOOP_ATTESTATION_ID=(\S+)$/m.exec(idFile)?.[1];
  assert.ok(attestationId, `no ID in ${idFile}`);
  for (const job of [testJob, attach]) {
    const loaded = job.steps.find((step) => step.name === 'Chainloop attestation ID from the workspace');
    assert.match(loaded?.stdout ?? '', new RegExp(`Continuing attestation ${attestationId}`));
  }
  assert.deepEqual(stepStatuses(attach.steps), [
    ['Chainloop attestation ID from the workspace', 'success'],
    ['Chainloop attestation add', 'success'],
    ['Chainloop attestation push (job succeeded)', 'success'],
    ['Chainloop attestation reset (job failed)', 'skipped'],
  ]);

  // One run, created by the first job, pushed by the last.
  const runs = await backend.controlPlane.admin().listRuns({ workflow: backend.workflowId });
  const mine = runs.filter((run) => result.jobs.some((job) => job.buildUrl === run.jobUrl));
  assert.equal(mine.length, 1, JSON.stringify(runs));
  assert.equal(mine[0].jobUrl, build.buildUrl);
  assert.equal(mine[0].status, 'succeeded');

  const stored = await backend.controlPlane.admin().getAttestation(mine[0].id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const predicate = statement.predicate as {
    runnerType: string;
    materials: { digest: { sha256: string }; content?: string; annotations: Record<string, unknown> }[];
  };
  assert.equal(predicate.runnerType, 'CIRCLECI_BUILD');
  const byName = new Map(predicate.materials.map((m) => [m.annotations['chainloop.material.name'], m]));
  // init adds the runner context in any CI (issue 21), besides the materials of the add lines.
  assert.deepEqual([...byName.keys()].sort(), ['app', 'commit', 'junit', 'runner-context']);
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
  assert.equal(Buffer.from(byName.get('commit')?.content ?? '', 'base64').toString(), pipeline.sha);
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.equal(byName.get('app')?.digest.sha256, sha256(join(attach.dir, 'home', 'workspace', 'dist', 'app.tar.gz')));
  assert.equal(
    byName.get('junit')?.digest.sha256,
    sha256(join(testJob.dir, 'home', 'project', 'reports', 'junit.xml')),
  );

  const transcript = workflowTranscript(result);
  for (const secret of backend.secrets) assert.ok(!transcript.includes(secret), 'a secret reached the job log');
  for (const job of result.jobs) assert.deepEqual(filesHoldingSecrets(job.dir, backend.secrets), []);
});

test('multi-job example: a failing middle job resets the attestation and the last job never runs', {
  timeout: 120_000,
}, async () => {
  const config = exampleUsage(backend.orb, 'multi-job');
  const testSteps = config.jobs?.test.steps as { run?: { name: string; command: string } }[];
  const testStep = testSteps.find((step) => step.run?.name === 'Test');
  assert.ok(testStep?.run);
  testStep.run.command = `sed -i 's/hello/goodbye/' src/greet.js && ${testStep.run.command}`;
  const { result } = await backend.run(config);
  assert.deepEqual(
    result.jobs.map((job) => [job.name, job.status]),
    [
      ['build', 'success'],
      ['test', 'failed'],
    ],
  );
  assert.deepEqual(result.blocked, ['chainloop/attach-materials']);
  const [build, testJob] = result.jobs;
  assert.deepEqual(stepStatuses(testJob.steps), [
    ['Chainloop attestation ID from the workspace', 'success'],
    ['Chainloop attestation add', 'skipped'],
    ['Chainloop attestation reset', 'success'],
  ]);
  const run = await backend.runOf(build);
  assert.equal(run.status, 'failed');
  assert.equal(run.trigger, 'failure');
});
