import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { cliOrigin, exampleUsage, stepStatuses } from '../harness/example';
import { describeFailures, workflowTranscript } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

test('attest-job example: the ready job runs your steps between init and push, with the annotations', {
  timeout: 120_000,
}, async () => {
  const { result } = await backend.run(exampleUsage(backend.orb, 'attest-job'));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  // As pasted: the ready job's install took the CLI from the control plane in the context.
  assert.equal(cliOrigin(job), `downloaded from the control plane, sha256 ${backend.cliSha256}`);
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

test('a failing step: the push is skipped, the on_fail step resets, and the run is failed', {
  timeout: 120_000,
}, async () => {
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

/** The attest-job example with arguments added to its chainloop/attest job. */
function attestWith(args: Record<string, unknown>) {
  const config = exampleUsage(backend.orb, 'attest-job');
  const [entry] = config.workflows?.['build-and-attest']?.jobs ?? [];
  Object.assign((entry as Record<string, Record<string, unknown>>)['chainloop/attest'], args);
  return config;
}

test('the attest job hands control_plane and cli_sha256 to install: the pinned CLI from that control plane', {
  timeout: 120_000,
}, async () => {
  // A context without CHAINLOOP_CONTROL_PLANE_API: the job's control_plane parameter alone says where to go.
  const { CHAINLOOP_CONTROL_PLANE_API: url, ...withoutUrl } = backend.context;
  const { result } = await backend.run(attestWith({ control_plane: url, cli_sha256: backend.cliSha256 }), {
    contexts: { chainloop: withoutUrl },
  });
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.equal(cliOrigin(job), `downloaded from the control plane, sha256 ${backend.cliSha256}`);
  assert.equal((await backend.runOf(job)).status, 'succeeded');
});

test('the attest job with a cli_sha256 of another CLI stops at install: no attestation is started', {
  timeout: 120_000,
}, async () => {
  const other = 'ab'.repeat(32);
  const { result } = await backend.run(attestWith({ cli_sha256: other }));
  const [job] = result.jobs;
  assert.equal(job.status, 'failed');
  const install = job.steps.find((step) => step.name === 'Install the chainloop CLI');
  assert.equal(install?.status, 'failed');
  assert.match(
    install?.stderr ?? '',
    new RegExp(
      `^chainloop/install: the CLI the control plane at \\S+ serves has SHA-256 ${backend.cliSha256}, not the pinned cli_sha256 ${other}: [^\\n]+\\n$`,
    ),
  );
  assert.deepEqual(
    stepStatuses(job.steps).filter(([, status]) => status !== 'skipped'),
    [['Chainloop attestation reset (job failed)', 'failed']],
    'only the failure hook ran, and it found no chainloop',
  );
  const runs = await backend.controlPlane.admin().listRuns({ workflow: backend.workflowId });
  assert.ok(!runs.some((run) => run.jobUrl === job.buildUrl), 'no run was created for this job');
});

test('the attest job hands cli_source to install: path without cli_path is refused', { timeout: 120_000 }, async () => {
  const { result } = await backend.run(attestWith({ cli_source: 'path' }));
  const install = result.jobs[0].steps.find((step) => step.name === 'Install the chainloop CLI');
  assert.equal(
    install?.stderr,
    'chainloop/install: cli_source path needs cli_path: set cli_path to the chainloop.cjs in the checkout, or leave cli_source at control-plane to download it\n',
  );
});
