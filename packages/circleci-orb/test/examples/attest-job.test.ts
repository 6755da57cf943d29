import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { exampleUsage, stepStatuses } from '../harness/example';
import { describeFailures, workflowTranscript } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

test('attest-job example: the ready job runs your steps between init and push, with the annotations', async () => {
  const { result } = await backend.run(exampleUsage(backend.orb, 'attest-job'));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.deepEqual(
    job.steps
      .map((step) => step.name)
      .filter((name) => /^(Checkout code|Build|Test|Chainloop attestation \w+)$/.test(name)),
    ['Checkout code', 'Chainloop attestation init', 'Build', 'Test', 'Chainloop attestation add'],
  );
  const run = await backend.runOf(job);
  assert.equal(run.status, 'succeeded');
  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const predicate = statement.predicate as { annotations?: Record<string, string>; env: Record<string, string> };
  assert.deepEqual(predicate.annotations, { pipeline: 'build-and-attest' });
  assert.equal(predicate.env.CIRCLE_JOB, 'chainloop/attest');
});

test('a failing step: the push is skipped, the on_fail step resets, and the run is failed', async () => {
  const config = exampleUsage(backend.orb, 'attest-job');
  const [entry] = config.workflows?.['build-and-attest']?.jobs ?? [];
  const invocation = (entry as Record<string, { steps: unknown[] }>)['chainloop/attest'];
  invocation.steps.unshift({ run: { name: 'Lint', command: 'echo "src/greet.js: 1 error" >&2; exit 1' } });
  const { result } = await backend.run(config);
  const [job] = result.jobs;
  assert.equal(job.status, 'failed');
  assert.deepEqual(stepStatuses(job.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'skipped'],
    ['Chainloop attestation push (job succeeded)', 'skipped'],
    ['Chainloop attestation reset (job failed)', 'success'],
  ]);
  assert.deepEqual(
    job.steps.filter((step) => ['Lint', 'Build', 'Test'].includes(step.name)).map((step) => step.status),
    ['failed', 'skipped', 'skipped'],
  );
  const run = await backend.runOf(job);
  assert.equal(run.status, 'failed');
  assert.equal(run.trigger, 'failure');
  assert.match(run.reason ?? '', /circleci job status failed/);
  assert.equal(run.attestationDigest ?? '', '', 'nothing was stored for the failed run');
  const transcript = workflowTranscript(result);
  for (const secret of backend.secrets) assert.ok(!transcript.includes(secret), 'a secret reached the job log');
});
