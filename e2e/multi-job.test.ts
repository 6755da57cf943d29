/**
 * Attestations that span processes: remote state across five "jobs" (init, three adds at once, push), a forced ETag
 * conflict between two adds, and 20 concurrent local adds on one state file. Nothing is lost.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baseEnv, runCli } from './support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from './support/control-plane';
import { seedContract, seedWorkspace, signingKey, signingPassword } from './support/crafting';
import { type SeedImage, startSeedImage } from './support/registry';
import { startRelayProxy } from './support/relay-proxy';

let cp: TestControlPlane;
let image: SeedImage;
let robotToken: string;
let cwd: string;

before(async () => {
  cp = await startControlPlane();
  image = await startSeedImage();
  ({ robotToken } = await createWorkflowWithRobot(cp, {
    name: 'build-and-test',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: seedContract.replace(/envAllowList:[\s\S]*$/, ''),
  }));
  cwd = seedWorkspace();
});

after(async () => {
  await cp?.stop();
  await image?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

test('remote state: init in one process, three adds at once from three more, push from a fifth', async () => {
  const env = baseEnv({ CHAINLOOP_TOKEN: robotToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
  const dotenvFile = join(cwd, 'chainloop.env');
  const init = await runCli(['attestation', 'init', '--remote-state', '--dotenv-file', dotenvFile, '-o', 'json'], {
    env,
    cwd,
  });
  assert.equal(init.status, 0, init.stderr);
  const id = JSON.parse(init.stdout).attestationID;
  assert.match(id, /\S+/);
  const envLine = (await import('node:fs')).readFileSync(dotenvFile, 'utf8');
  assert.equal(envLine, `CHAINLOOP_ATTESTATION_ID=${id}\n`);

  const jobEnv = { ...env, CHAINLOOP_ATTESTATION_ID: id };
  const adds = await Promise.all([
    runCli(['attestation', 'add', '--name', 'skynet-control-plane', '--value', image.reference], { env: jobEnv, cwd }),
    runCli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'], { env: jobEnv, cwd }),
    runCli(['attestation', 'add', '--name', 'skynet-sbom', '--value', 'sbom.cyclonedx.json'], { env: jobEnv, cwd }),
  ]);
  for (const add of adds) assert.equal(add.status, 0, add.stderr);
  const ref = await runCli(['attestation', 'add', '--name', 'build-ref', '--value', 'abc', '--attestation-id', id], {
    env,
    cwd,
  });
  assert.equal(ref.status, 0, ref.stderr);

  const push = await runCli(['attestation', 'push', '--key', signingKey, '-o', 'json'], {
    env: { ...jobEnv, CHAINLOOP_SIGNING_PASSWORD: signingPassword },
    cwd,
  });
  assert.equal(push.status, 0, push.stderr);
  const run = await cp.admin().getRun(id);
  assert.equal(run.status, 'succeeded');
  const { bundle } = await cp.admin().getAttestation(id);
  const statement = JSON.parse(Buffer.from(JSON.parse(bundle).dsseEnvelope.payload, 'base64').toString('utf8'));
  const names = statement.predicate.materials.map(
    (m: { annotations: Record<string, string> }) => m.annotations['chainloop.material.name'],
  );
  assert.deepEqual(names, ['build-ref', 'rootfs', 'skynet-control-plane', 'skynet-sbom']);
});

test('remote state: an add whose write loses the ETag race reads the state again and retries; both materials kept', async () => {
  // A proxy holds the first state write back until a second one has been answered: the first then carries a stale
  // If-Match, as when two CI jobs of one pipeline add at the same moment.
  const STATE_PUT = /^\/v1\/runs\/[^/?]+\/state$/;
  const isStateWrite = (request: { method?: string; url?: string }) =>
    request.method === 'PUT' && STATE_PUT.test(request.url ?? '');
  let armed = false;
  let writes = 0;
  const statuses: number[] = [];
  let secondAnswered = () => {};
  const released = new Promise<void>((resolve) => {
    secondAnswered = resolve;
    // Should the other add never write, the held one still goes on (and the 409 assertion below fails).
    setTimeout(resolve, 30_000).unref();
  });
  const proxy = await startRelayProxy(cp.url, {
    async beforeForward(request) {
      if (armed && isStateWrite(request) && ++writes === 1) await released;
    },
    onAnswer(request, answer) {
      if (armed && isStateWrite(request)) {
        statuses.push(answer.statusCode ?? 0);
        secondAnswered();
      }
      return false;
    },
  });
  try {
    const env = baseEnv({ CHAINLOOP_TOKEN: robotToken, CHAINLOOP_CONTROL_PLANE_API: proxy.url });
    const init = await runCli(['attestation', 'init', '--remote-state', '-o', 'json'], { env, cwd });
    assert.equal(init.status, 0, init.stderr);
    const jobEnv = { ...env, CHAINLOOP_ATTESTATION_ID: JSON.parse(init.stdout).attestationID };
    armed = true;
    const adds = await Promise.all([
      runCli(['attestation', 'add', '--name', 'build-ref', '--value', 'first'], { env: jobEnv, cwd }),
      runCli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'], { env: jobEnv, cwd }),
    ]);
    for (const add of adds) assert.equal(add.status, 0, add.stderr);
    // The second add's write, then the held one refused as stale, then its retry on the state it read again.
    assert.deepEqual(statuses, [200, 409, 200]);
    const status = await runCli(['attestation', 'status', '-o', 'json'], { env: jobEnv, cwd });
    assert.equal(status.status, 0, status.stderr);
    const added = JSON.parse(status.stdout)
      .materials.filter((m: { set: boolean }) => m.set)
      .map((m: { name: string }) => m.name);
    assert.deepEqual(added.sort(), ['build-ref', 'rootfs']);
  } finally {
    await proxy.stop();
  }
});

test('20 concurrent local adds on one state file: all 20 present', async () => {
  const env = baseEnv({ CHAINLOOP_ROBOT_ACCOUNT: robotToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
  const state = join(cwd, 'concurrent-state.json');
  const init = await runCli(['attestation', 'init', '--dry-run', '--local-state-path', state], { env, cwd });
  assert.equal(init.status, 0, init.stderr);
  const names = Array.from({ length: 20 }, (_, i) => `extra-${i}`);
  for (const name of names) writeFileSync(join(cwd, `${name}.txt`), `${name}\n`);
  const results = await Promise.all(
    names.map((name) =>
      runCli(
        [
          'attestation',
          'add',
          '--name',
          name,
          '--kind',
          'ARTIFACT',
          '--value',
          `${name}.txt`,
          '--local-state-path',
          state,
        ],
        { env, cwd },
      ),
    ),
  );
  for (const result of results) assert.equal(result.status, 0, result.stderr);
  const status = await runCli(['attestation', 'status', '--local-state-path', state, '-o', 'json'], { env, cwd });
  const added = JSON.parse(status.stdout)
    .materials.filter((m: { set: boolean }) => m.set)
    .map((m: { name: string }) => m.name);
  assert.deepEqual(added.sort(), [...names].sort());
});
