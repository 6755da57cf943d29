import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import type { ConfigDefinition, StepDefinition } from '../harness/config-model';
import { stepStatuses } from '../harness/example';
import { ORB_NAME } from '../harness/orb-files';
import type { JobResult } from '../harness/run-job';
import { describeFailures } from '../harness/transcript';

// A contract that declares no material: every material in the attestation came from the job's test reports (or is the
// runner context init adds), none from an add line.
const contract = `schemaVersion: v1
runner:
  type: CIRCLECI_BUILD
`;

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend({ contract });
});
after(async () => {
  await backend?.stop();
});

/** A job that runs its test steps, stores test-results as CircleCI would, and finishes with the same path; no add. */
function job(
  tests: string,
  finish: Record<string, unknown> = { test_results: 'test-results' },
  path = 'test-results',
): ConfigDefinition {
  const steps: StepDefinition[] = [
    'checkout',
    'chainloop/install',
    'chainloop/init',
    { run: { name: 'Test', command: tests } },
    { store_test_results: { path } },
    { 'chainloop/finish': finish },
  ];
  return {
    version: 2.1,
    orbs: { chainloop: `${ORB_NAME}@0.1.0` },
    jobs: { build: { executor: 'chainloop/default', steps } },
    workflows: { main: { jobs: [{ build: { context: 'chainloop' } }] } },
  };
}

async function pushedMaterials(build: JobResult & { buildUrl: string }) {
  const run = await backend.runOf(build);
  assert.equal(run.status, 'succeeded');
  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const materials = (
    statement.predicate as { materials: { digest: { sha256: string }; annotations: Record<string, string> }[] }
  ).materials;
  return new Map(materials.map((m) => [m.annotations['chainloop.material.name'], m]));
}

const finishStep = 'Chainloop attestation push (job succeeded)';

test('finish with test_results: the JUnit reports in the folder and its subfolders are in the pushed attestation', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(
    job(
      [
        'mkdir -p test-results/unit test-results/integration/api',
        'node --test --test-reporter=junit --test-reporter-destination=test-results/unit/junit.xml',
        'cp test-results/unit/junit.xml test-results/integration/api/junit.xml',
        'cp test-results/unit/junit.xml test-results/TEST-greet.xml',
        // Not a report: store_test_results reads XML, and so does the orb.
        'echo "lines: 87%" > test-results/coverage.txt',
      ].join(' && '),
    ),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  assert.deepEqual(stepStatuses(build.steps), [
    ['Chainloop attestation init', 'success'],
    [finishStep, 'success'],
    ['Chainloop attestation reset (job failed)', 'skipped'],
  ]);
  const byName = await pushedMaterials(build);
  // Two junit.xml in different folders: junit and junit-1 (sorted by path, integration/ first).
  assert.deepEqual([...byName.keys()].sort(), ['junit', 'junit-1', 'runner-context', 'test-greet']);
  const project = join(build.dir, 'home', 'project');
  for (const [name, file] of [
    ['junit', 'test-results/integration/api/junit.xml'],
    ['junit-1', 'test-results/unit/junit.xml'],
    ['test-greet', 'test-results/TEST-greet.xml'],
  ]) {
    const material = byName.get(name);
    assert.equal(material?.annotations['chainloop.material.type'], 'JUNIT_XML', `${name} kind`);
    const digest = createHash('sha256')
      .update(readFileSync(join(project, file)))
      .digest('hex');
    assert.equal(material?.digest.sha256, digest, `${name} is ${file}`);
  }
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
});

test('finish with test_results on a folder with no report: a warning naming it, the push succeeds', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(job('mkdir -p test-results'));
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  const finish = build.steps.find((step) => step.name === finishStep);
  assert.equal(finish?.status, 'success');
  assert.match(finish?.stderr ?? '', /--from-glob "test-results\/\*\*\/\*\.xml" matched no file in .*: nothing added/);
  const byName = await pushedMaterials(build);
  assert.deepEqual([...byName.keys()], ['runner-context']);
});

test('test_results naming one report file, in a folder whose name has glob characters: that file, taken literally', {
  timeout: 120_000,
}, async () => {
  const file = 'reports (ci)/junit.xml';
  const { result } = await backend.run(
    job(
      'mkdir -p "reports (ci)" && node --test --test-reporter=junit --test-reporter-destination="reports (ci)/junit.xml"',
      { test_results: file },
      file,
    ),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  const byName = await pushedMaterials(build);
  assert.deepEqual([...byName.keys()].sort(), ['junit', 'runner-context']);
  const report = readFileSync(join(build.dir, 'home', 'project', file));
  assert.equal(byName.get('junit')?.digest.sha256, createHash('sha256').update(report).digest('hex'));
});

test('a refused report (an empty file) fails the push step naming it; the on_fail step marks the run failed', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(
    job(
      'mkdir -p test-results/unit && node --test --test-reporter=junit --test-reporter-destination=test-results/unit/junit.xml && : > test-results/broken.xml',
    ),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'failed');
  assert.deepEqual(stepStatuses(build.steps), [
    ['Chainloop attestation init', 'success'],
    [finishStep, 'failed'],
    ['Chainloop attestation reset (job failed)', 'success'],
  ]);
  const finish = build.steps.find((step) => step.name === finishStep);
  assert.match(finish?.stderr ?? '', /broken\.xml/);
  assert.match(finish?.stderr ?? '', /chainloop\/finish: the test reports in test-results were not added/);
  const run = await backend.runOf(build);
  assert.equal(run.status, 'failed');
});

test('with graceful_exit a refused report is a warning and the attestation is pushed without the reports', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(
    job('mkdir -p test-results && : > test-results/broken.xml', { test_results: 'test-results', graceful_exit: true }),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  const finish = build.steps.find((step) => step.name === finishStep);
  assert.match(finish?.stderr ?? '', /warning: the test reports in test-results were not added .*graceful_exit/);
  const byName = await pushedMaterials(build);
  assert.deepEqual([...byName.keys()], ['runner-context']);
});

test('finish without test_results adds nothing, reports or not', { timeout: 120_000 }, async () => {
  const { result } = await backend.run(
    job(
      'mkdir -p test-results && node --test --test-reporter=junit --test-reporter-destination=test-results/junit.xml',
      {},
    ),
  );
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  assert.doesNotMatch(build.steps.find((step) => step.name === finishStep)?.stderr ?? '', /from-glob/);
  const byName = await pushedMaterials(build);
  assert.deepEqual([...byName.keys()], ['runner-context']);
});
