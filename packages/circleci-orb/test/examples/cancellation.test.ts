import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { exampleUsage, stepStatuses } from '../harness/example';

// A short run expiry so the test sees what a day does on a real control plane.
const RUN_EXPIRY_MS = 3000;

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend({ controlPlaneArgs: ['--run-expiry', `${RUN_EXPIRY_MS}ms`] });
});
after(async () => {
  await backend?.stop();
});

test('a cancelled job runs no hook: the run stays initialized until the control plane expires it', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(exampleUsage(backend.orb, 'single-job'), {
    cancel: { job: 'build', beforeStep: 'Test' },
  });
  const [job] = result.jobs;
  assert.equal(job.status, 'cancelled');
  assert.deepEqual(stepStatuses(job.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'skipped'],
    ['Chainloop attestation push (job succeeded)', 'skipped'],
    ['Chainloop attestation reset (job failed)', 'skipped'],
  ]);
  // No hook ran, so nothing ended the run: it is still initialized, or (on a loaded machine, when the job took longer
  // than the expiry) already expired — never failed or cancelled, which only a reset would make it.
  let run = await backend.runOf(job);
  assert.ok(['initialized', 'expired'].includes(run.status), `run ${run.status}, expected initialized or expired`);
  const deadline = Date.now() + RUN_EXPIRY_MS * 6;
  while (run.status === 'initialized' && Date.now() < deadline) {
    await sleep(250);
    run = await backend.runOf(job);
  }
  assert.equal(run.status, 'expired');
});
