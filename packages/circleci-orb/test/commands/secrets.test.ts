import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import type { ConfigDefinition, StepDefinition } from '../harness/config-model';
import { ORB_NAME } from '../harness/orb-files';
import { describeFailures, workflowTranscript } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

/** A job whose chainloop steps all read the token, key and password from variables named by the caller. */
function job(
  names: { token: string; key: string; password: string },
  extraSteps: StepDefinition[] = [],
): ConfigDefinition {
  const controlPlane = backend.context.CHAINLOOP_CONTROL_PLANE_API;
  return {
    version: 2.1,
    orbs: { chainloop: `${ORB_NAME}@0.1.0` },
    jobs: {
      build: {
        executor: 'chainloop/default',
        steps: [
          'checkout',
          { 'chainloop/install': { control_plane: controlPlane } },
          { 'chainloop/init': { token: names.token, control_plane: controlPlane } },
          {
            run: {
              name: 'Build',
              command: 'mkdir -p dist reports && git archive --format=tar.gz -o dist/app.tar.gz HEAD',
            },
          },
          {
            run: {
              name: 'Test',
              command: 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml',
            },
          },
          ...extraSteps,
          {
            'chainloop/add': {
              token: names.token,
              control_plane: controlPlane,
              materials: 'commit=env://CIRCLE_SHA1\napp=dist/app.tar.gz\njunit=reports/junit.xml\n',
            },
          },
          { 'chainloop/finish': { ...names, control_plane: controlPlane } },
        ],
      },
    },
    workflows: { main: { jobs: [{ build: { context: 'skynet' } }] } },
  };
}

/** A context that holds the secrets under names of the project's choosing, and no CHAINLOOP_* variable. */
function skynetContext(): Record<string, Record<string, string>> {
  return {
    skynet: {
      SKYNET_ROBOT: backend.context.CHAINLOOP_TOKEN,
      SKYNET_COSIGN_KEY: backend.context.CHAINLOOP_SIGNING_KEY,
      SKYNET_COSIGN_PASSWORD: backend.context.CHAINLOOP_SIGNING_PASSWORD,
    },
  };
}

test('token, key and password held in variables of your naming: parameters carry the names, never the values', {
  timeout: 120_000,
}, async () => {
  const names = { token: 'SKYNET_ROBOT', key: 'SKYNET_COSIGN_KEY', password: 'SKYNET_COSIGN_PASSWORD' };
  const { result } = await backend.run(job(names), { contexts: skynetContext() });
  const [build] = result.jobs;
  assert.equal(build.status, 'success', describeFailures(result));
  assert.equal((await backend.runOf(build)).status, 'succeeded');
  const push = build.steps.find((step) => step.name === 'Chainloop attestation push (job succeeded)');
  assert.deepEqual(
    [push?.environment?.PARAM_TOKEN, push?.environment?.PARAM_KEY, push?.environment?.PARAM_PASSWORD],
    ['SKYNET_ROBOT', 'SKYNET_COSIGN_KEY', 'SKYNET_COSIGN_PASSWORD'],
  );
  const transcript = workflowTranscript(result);
  for (const secret of backend.secrets) assert.ok(!transcript.includes(secret), 'a secret reached the job log');
});

test('a token parameter naming an empty variable fails init with a one-line error that names the variable', {
  timeout: 120_000,
}, async () => {
  const names = { token: 'SKYNET_ROBOT_TYPO', key: 'SKYNET_COSIGN_KEY', password: 'SKYNET_COSIGN_PASSWORD' };
  const { result } = await backend.run(job(names), { contexts: skynetContext() });
  const [build] = result.jobs;
  assert.equal(build.status, 'failed');
  const init = build.steps.find((step) => step.name === 'Chainloop attestation init');
  assert.equal(init?.status, 'failed');
  assert.equal(
    init?.stderr,
    'chainloop/init: token variable SKYNET_ROBOT_TYPO is empty: put the robot account token in a project environment variable or context named SKYNET_ROBOT_TYPO, or set the token parameter to the variable that holds it\n',
  );
});

test('a signing key parameter naming an empty variable fails the push, names the variable, and the run is reset', {
  timeout: 120_000,
}, async () => {
  const names = { token: 'SKYNET_ROBOT', key: 'SKYNET_COSIGN_KEY_TYPO', password: 'SKYNET_COSIGN_PASSWORD' };
  const { result } = await backend.run(job(names), { contexts: skynetContext() });
  const [build] = result.jobs;
  const push = build.steps.find((step) => step.name === 'Chainloop attestation push (job succeeded)');
  const reset = build.steps.find((step) => step.name === 'Chainloop attestation reset (job failed)');
  assert.equal(push?.status, 'failed');
  assert.match(push?.stderr ?? '', /^chainloop\/finish: signing key variable SKYNET_COSIGN_KEY_TYPO is empty: /);
  // The reset step runs because the push step failed: the run does not linger as initialized.
  assert.equal(reset?.status, 'success', reset?.stderr);
  assert.equal((await backend.runOf(build)).status, 'failed');
});

test('add with both materials and name/value is a usage error (exit 2), and finish resets the run', {
  timeout: 120_000,
}, async () => {
  const names = { token: 'SKYNET_ROBOT', key: 'SKYNET_COSIGN_KEY', password: 'SKYNET_COSIGN_PASSWORD' };
  const conflicting = {
    'chainloop/add': { token: 'SKYNET_ROBOT', materials: 'commit=abc', name: 'commit', value: 'abc' },
  };
  const { result } = await backend.run(job(names, [conflicting]), { contexts: skynetContext() });
  const [build] = result.jobs;
  const add = build.steps.find((step) => step.name === 'Chainloop attestation add');
  assert.equal(add?.exitCode, 2);
  assert.equal(
    add?.stderr,
    'chainloop/add: both materials and name/value are set: use materials for several, or name and value for one\n',
  );
  assert.equal((await backend.runOf(build)).status, 'failed');
});
