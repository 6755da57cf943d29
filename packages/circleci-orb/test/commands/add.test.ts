import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import type { ConfigDefinition } from '../harness/config-model';
import { ORB_NAME } from '../harness/orb-files';
import { describeFailures } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

const parallelTests: ConfigDefinition = {
  version: 2.1,
  orbs: { chainloop: `${ORB_NAME}@0.1.0` },
  jobs: {
    build: {
      executor: 'chainloop/default',
      steps: [
        'checkout',
        'chainloop/install',
        { 'chainloop/init': { remote_state: true } },
        { 'chainloop/add': { name: 'commit', value: 'env://CIRCLE_SHA1' } },
        { run: 'mkdir -p ~/workspace/dist && git archive --format=tar.gz -o ~/workspace/dist/app.tar.gz HEAD' },
        { persist_to_workspace: { root: '~/workspace', paths: ['dist'] } },
        'chainloop/reset',
      ],
    },
    test: {
      executor: 'chainloop/default',
      parallelism: 3,
      steps: [
        'checkout',
        'chainloop/install',
        'chainloop/attach-attestation',
        { run: 'mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml' },
        {
          'chainloop/add': {
            materials: 'junit=reports/junit.xml\nJUNIT_XML:junit-$CIRCLE_NODE_INDEX=reports/junit.xml',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: expanded by circleci env subst in the job
            annotations: 'node=${CIRCLE_NODE_INDEX}',
          },
        },
        'chainloop/reset',
      ],
    },
  },
  workflows: {
    main: {
      jobs: [
        { build: { context: 'chainloop' } },
        { test: { context: 'chainloop', requires: ['build'] } },
        {
          'chainloop/attach-materials': { context: 'chainloop', requires: ['test'], materials: 'app=dist/app.tar.gz' },
        },
      ],
    },
  },
};

test('parallel containers add at the same time to one remote attestation, names expanded with circleci env subst', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(parallelTests);
  assert.deepEqual(
    result.jobs.map((job) => [job.name, job.nodeIndex, job.status]),
    [
      ['build', 0, 'success'],
      ['test', 0, 'success'],
      ['test', 1, 'success'],
      ['test', 2, 'success'],
      ['chainloop/attach-materials', 0, 'success'],
    ],
    describeFailures(result),
  );
  const run = await backend.runOf(result.jobs[0]);
  assert.equal(run.status, 'succeeded');
  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const materials = (statement.predicate as { materials: { annotations: Record<string, unknown> }[] }).materials;
  const byName = new Map(materials.map((m) => [String(m.annotations['chainloop.material.name']), m.annotations]));
  // The runner context is init's (in the build job): one, however many containers attach.
  assert.deepEqual([...byName.keys()].sort(), [
    'app',
    'commit',
    'junit',
    'junit-0',
    'junit-1',
    'junit-2',
    'runner-context',
  ]);
  assert.equal(byName.get('runner-context')?.['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
  for (const index of [0, 1, 2]) {
    assert.equal(byName.get(`junit-${index}`)?.['chainloop.material.type'], 'JUNIT_XML');
    assert.equal(byName.get(`junit-${index}`)?.node, String(index), 'annotation expanded in its own container');
  }
});
