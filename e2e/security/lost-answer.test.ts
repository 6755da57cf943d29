/**
 * The answer to a successful push is lost (a proxy in front of a real control plane lets every
 * `POST /v1/runs/{id}/attestation` reach it, then drops the connection instead of relaying the answer): that push ends
 * with an error and keeps the crafting state. Pushing again — by hand, or through the CI adapter's `finish` — succeeds
 * with the stored attestation's digest, key-signed or keyless, instead of 409 RUN_ALREADY_ATTESTED; a statement that
 * differs from the stored one is still refused with 409.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { signingKey, signingPassword } from '../support/crafting';
import { type CraftingJob, craftingJob } from '../support/crafting-job';
import { startRelayProxy } from '../support/relay-proxy';

const ATTESTATION_POST = /^\/v1\/runs\/[^/?]+\/attestation(\?.*)?$/;

interface AnswerDroppingProxy {
  url: string;
  /** While true, attestation pushes reach the control plane but their answers never reach the client. */
  dropAnswers: boolean;
  /** Attestation pushes whose answers were dropped, with the status the control plane gave. */
  dropped: number[];
  stop(): Promise<void>;
}

/** A proxy on loopback in front of `target`, relaying everything except, when told, attestation answers. */
async function startAnswerDroppingProxy(target: string): Promise<AnswerDroppingProxy> {
  const proxy: AnswerDroppingProxy = { url: '', dropAnswers: false, dropped: [], stop: async () => {} };
  const relay = await startRelayProxy(target, {
    onAnswer(request, answer) {
      if (!(proxy.dropAnswers && request.method === 'POST' && ATTESTATION_POST.test(request.url ?? ''))) return false;
      // The control plane has processed the push (its whole answer is in); the client never hears of it.
      answer.resume();
      answer.once('end', () => {
        proxy.dropped.push(answer.statusCode ?? 0);
        request.socket.destroy();
      });
      return true;
    },
  });
  return Object.assign(proxy, relay);
}

const scratch = mkdtempSync(join(tmpdir(), 'lost-answer-e2e-'));
let cp: TestControlPlane;
let proxy: AnswerDroppingProxy;

before(async () => {
  cp = await startControlPlane();
  proxy = await startAnswerDroppingProxy(cp.url);
});
after(async () => {
  await proxy?.stop();
  await cp?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A crafted job whose pushes go through the proxy (init and adds too: the proxy relays them). */
async function craftedJob(name: string): Promise<CraftingJob> {
  const job = await craftingJob(cp, name, scratch, { controlPlaneUrl: proxy.url });
  await job.craft();
  return job;
}

/** A push whose every answer is dropped: it fails after its retries, the run is attested, the state is kept. */
async function pushWithLostAnswers(
  job: CraftingJob,
  args: string[],
  env: Record<string, string> = {},
  options: { localState?: boolean } = {},
) {
  proxy.dropAnswers = true;
  proxy.dropped.length = 0;
  try {
    const push = await job.cli(['attestation', 'push', ...args], env);
    assert.equal(push.status, 1, `${push.stdout}\n${push.stderr}`);
    assert.match(push.stderr, /^ERR .*the attestation state is kept: run chainloop attestation push again/m);
    assert.ok(proxy.dropped.length >= 2, `every attempt reached the control plane: ${proxy.dropped}`);
    assert.equal(proxy.dropped[0], 201, 'the first attempt was stored');
  } finally {
    proxy.dropAnswers = false;
  }
  if (options.localState !== false) assert.ok(existsSync(job.statePath), 'the crafting state is kept');
  const run = await runOf(job);
  assert.equal(run.status, 'succeeded');
  const stored = await cp.admin().getAttestation(run.id);
  assert.equal(stored.digest, run.attestationDigest);
  return { run, stored };
}

async function runOf(job: CraftingJob) {
  const runs = await cp.admin().listRuns({ workflow: job.workflowId });
  assert.equal(runs.length, 1);
  return runs[0];
}

const payloadOf = (bundle: string) => JSON.parse(bundle).dsseEnvelope.payload as string;

describe('a push whose answer was lost', { timeout: 180_000 }, () => {
  test('--key: pushing again succeeds with the stored digest, and the run has exactly that attestation', async () => {
    const job = await craftedJob('lost-answer-key');
    const keyEnv = { CHAINLOOP_SIGNING_PASSWORD: signingPassword };
    const { run, stored } = await pushWithLostAnswers(job, ['--key', signingKey], keyEnv);

    const again = await job.cli(['attestation', 'push', '--key', signingKey, '-o', 'json'], keyEnv);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^INF .*already had this attestation.*answer.*lost/m);
    assert.match(again.stderr, /^INF Attestation pushed!$/m);
    const printed = JSON.parse(again.stdout);
    assert.equal(printed.digest, stored.digest);
    assert.equal(printed.envelope.payload, payloadOf(stored.bundle));
    assert.ok(!existsSync(job.statePath), 'the crafting state is cleared');

    const after = await runOf(job);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.attestationDigest, stored.digest);
    assert.equal((await cp.admin().getAttestation(run.id)).bundle, stored.bundle, 'the stored bundle is unchanged');
  });

  test('keyless: pushing again succeeds with the stored digest, without a new certificate', async () => {
    const job = await craftedJob('lost-answer-keyless');
    const { run, stored } = await pushWithLostAnswers(job, []);
    assert.deepEqual(Object.keys(JSON.parse(stored.bundle).verificationMaterial), ['certificate']);

    const again = await job.cli(['attestation', 'push', '--bundle', 'attestation.bundle.json', '-o', 'json']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^INF .*already had this attestation.*answer.*lost/m);
    assert.equal(JSON.parse(again.stdout).digest, stored.digest);
    assert.equal(readFileSync(join(job.cwd, 'attestation.bundle.json'), 'utf8'), stored.bundle);
    assert.ok(!existsSync(job.statePath), 'the crafting state is cleared');
    assert.equal((await runOf(job)).attestationDigest, stored.digest);
    assert.equal((await cp.admin().getAttestation(run.id)).bundle, stored.bundle);
  });

  test("keyless, the CI adapter's attestation finish: succeeds with the stored digest", async () => {
    const job = await craftedJob('lost-answer-finish');
    const { stored } = await pushWithLostAnswers(job, []);

    const finish = await job.cli(['attestation', 'finish', '--ci', 'github', '--status', 'success', '-o', 'json']);
    assert.equal(finish.status, 0, finish.stderr);
    assert.deepEqual(JSON.parse(finish.stdout), { finished: true, action: 'push', digest: stored.digest });
    assert.ok(!existsSync(job.statePath), 'the crafting state is cleared');
  });

  test('a different statement after a lost answer (other annotations, another material) is still refused with 409', async () => {
    const job = await craftedJob('lost-answer-changed');
    const keyEnv = { CHAINLOOP_SIGNING_PASSWORD: signingPassword };
    const { stored } = await pushWithLostAnswers(job, ['--key', signingKey], keyEnv);
    const refused = new RegExp(
      `^ERR workflow run ${(await runOf(job)).id} already has attestation ${stored.digest}: .*start a new run`,
      'm',
    );

    const annotated = await job.cli(['attestation', 'push', '--key', signingKey, '--annotation', 'stage=2'], keyEnv);
    assert.equal(annotated.status, 1, annotated.stderr);
    assert.match(annotated.stderr, refused);
    assert.ok(existsSync(job.statePath), 'the crafting state is kept');

    const add = await job.cli(['attestation', 'add', '--name', 'extra', '--kind', 'STRING', '--value', 'late']);
    assert.equal(add.status, 0, add.stderr);
    for (const args of [['--key', signingKey], []]) {
      const changed = await job.cli(['attestation', 'push', ...args], keyEnv);
      assert.equal(changed.status, 1, changed.stderr);
      assert.match(changed.stderr, refused);
      assert.equal(changed.stderr.split('\n').filter((line) => line.startsWith('ERR ')).length, 1, changed.stderr);
    }
    assert.equal((await runOf(job)).attestationDigest, stored.digest, 'the stored attestation is unchanged');
  });

  test('remote state (a multi-job pipeline): pushing again succeeds, and finishing afterwards is a no-op', async () => {
    const job = await craftingJob(cp, 'lost-answer-remote', scratch, { controlPlaneUrl: proxy.url });
    const init = await job.cli(['attestation', 'init', '--remote-state', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const attestationId = JSON.parse(init.stdout).attestationID as string;
    const remote = { CHAINLOOP_ATTESTATION_ID: attestationId };
    for (const [name, value] of [
      ['rootfs', 'rootfs.tar.gz'],
      ['build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a'],
    ]) {
      const add = await job.cli(['attestation', 'add', '--name', name, '--value', value], remote);
      assert.equal(add.status, 0, add.stderr);
    }
    const { stored } = await pushWithLostAnswers(job, [], remote, { localState: false });

    const again = await job.cli(['attestation', 'push', '-o', 'json'], remote);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^INF .*already had this attestation.*answer.*lost/m);
    assert.equal(JSON.parse(again.stdout).digest, stored.digest);
    const finish = await job.cli(
      ['attestation', 'finish', '--ci', 'github', '--status', 'success', '-o', 'json'],
      remote,
    );
    assert.equal(finish.status, 0, finish.stderr);
    assert.equal(JSON.parse(finish.stdout).finished, false, 'nothing left to finish: the leftover state was removed');
    assert.equal((await runOf(job)).attestationDigest, stored.digest);
  });
});
