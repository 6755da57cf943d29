import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { exampleUsage, stepStatuses } from '../harness/example';
import { describeFailures } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

test("test-results example: the report under the store_test_results path fills the contract's junit, no add line for it", {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(exampleUsage(backend.orb, 'test-results'));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.deepEqual(stepStatuses(job.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'success'],
    ['Chainloop attestation push (job succeeded)', 'success'],
    ['Chainloop attestation reset (job failed)', 'skipped'],
  ]);
  const run = await backend.runOf(job);
  assert.equal(run.status, 'succeeded');

  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const materials = (
    statement.predicate as { materials: { digest: { sha256: string }; annotations: Record<string, string> }[] }
  ).materials;
  const byName = new Map(materials.map((m) => [m.annotations['chainloop.material.name'], m]));
  // The contract requires app, commit and junit: the push succeeding is the proof junit came from test_results.
  assert.deepEqual([...byName.keys()].sort(), ['app', 'commit', 'junit', 'runner-context']);
  const junit = byName.get('junit');
  assert.equal(junit?.annotations['chainloop.material.type'], 'JUNIT_XML');
  const report = readFileSync(join(job.dir, 'home', 'project', 'test-results', 'node', 'junit.xml'));
  assert.equal(junit?.digest.sha256, createHash('sha256').update(report).digest('hex'));
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
});
