import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import type { ConfigDefinition, StepDefinition } from '../harness/config-model';
import { stepStatuses } from '../harness/example';
import { ORB_NAME } from '../harness/orb-files';
import { describeFailures } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

function job(finishing: StepDefinition[], beforeAdd: StepDefinition[] = []): ConfigDefinition {
  return {
    version: 2.1,
    orbs: { chainloop: `${ORB_NAME}@0.1.0` },
    jobs: {
      build: {
        executor: 'chainloop/default',
        steps: [
          'checkout',
          'chainloop/install',
          'chainloop/init',
          {
            run: {
              name: 'Build',
              command:
                'mkdir -p dist reports && git archive --format=tar.gz -o dist/app.tar.gz HEAD && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml',
            },
          },
          ...beforeAdd,
          { 'chainloop/add': { materials: 'commit=env://CIRCLE_SHA1\napp=dist/app.tar.gz\njunit=reports/junit.xml' } },
          ...finishing,
        ],
      },
    },
    workflows: { main: { jobs: [{ build: { context: 'chainloop' } }] } },
  };
}

test('push with annotations and a bundle file; a reset with when: always afterwards is a harmless no-op', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(
    job([
      { 'chainloop/push': { annotations: 'release=1.2.3\nchannel=stable\n', bundle: '~/attestation.bundle.json' } },
      { 'chainloop/reset': { when: 'always', reason: 'cleanup' } },
    ]),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  assert.deepEqual(stepStatuses(build.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'success'],
    ['Chainloop attestation push', 'success'],
    ['Chainloop attestation reset', 'success'],
  ]);
  const reset = build.steps.find((step) => step.name === 'Chainloop attestation reset');
  assert.match(reset?.stderr ?? '', /nothing to reset/);
  const run = await backend.runOf(build);
  assert.equal(run.status, 'succeeded');

  const bundle = readFileSync(join(build.dir, 'home', 'attestation.bundle.json'), 'utf8');
  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  assert.equal(bundle, stored.bundle, 'the bundle file is what the control plane stored');
  const { statement } = await verifyAttestation(bundle, { publicKeyPem: backend.publicKeyPem });
  assert.deepEqual((statement.predicate as { annotations: unknown }).annotations, {
    channel: 'stable',
    release: '1.2.3',
  });
});

test('reset (default when: on_fail) records the trigger and reason when an earlier step failed; push does not run', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(
    job(
      ['chainloop/push', { 'chainloop/reset': { reason: 'integration tests failed' } }],
      [{ run: { name: 'Integration tests', command: 'exit 1' } }],
    ),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'failed');
  assert.deepEqual(stepStatuses(build.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'skipped'],
    ['Chainloop attestation push', 'skipped'],
    ['Chainloop attestation reset', 'success'],
  ]);
  const run = await backend.runOf(build);
  assert.equal(run.status, 'failed');
  assert.equal(run.trigger, 'failure');
  assert.equal(run.reason, 'integration tests failed');
});

test('reset with trigger cancellation marks the run cancelled', { timeout: 120_000 }, async () => {
  const { result } = await backend.run(
    job([{ 'chainloop/reset': { when: 'on_success', trigger: 'cancellation', reason: 'not a release branch' } }]),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  const run = await backend.runOf(build);
  assert.equal(run.status, 'cancelled');
  assert.equal(run.trigger, 'cancellation');
  assert.equal(run.reason, 'not a release branch');
});
