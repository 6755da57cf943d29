/**
 * The seed document's whole transcript, against a real control plane process and the bundled CLI: the admin
 * "previous section", `init --dry-run`, the four adds, `status --full`, `push --key`; then the same for real in a
 * GitHub Actions environment, where the run ends succeeded and the stored attestation verifies.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseEnv, runCli } from './support/cli';
import { startControlPlane, type TestControlPlane } from './support/control-plane';
import {
  githubActionsEnv,
  seedContract,
  seedWorkspace,
  signingKey,
  signingPassword,
  signingPublicKey,
} from './support/crafting';
import { type SeedImage, startSeedImage } from './support/registry';

let cp: TestControlPlane;
let image: SeedImage;
let robotToken: string;
let workflowId: string;
const scratch = mkdtempSync(join(tmpdir(), 'seed-e2e-'));

before(async () => {
  cp = await startControlPlane();
  image = await startSeedImage();
  const admin = baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
  // The seed's "previous section": a workflow, its contract and a robot account, made with the admin commands.
  const created = await runCli(
    ['workflow', 'create', '--name', 'build-and-test', '--team', 'cyberdyne core', '--project', 'skynet', '-o', 'json'],
    { env: admin },
  );
  assert.equal(created.status, 0, created.stderr);
  workflowId = JSON.parse(created.stdout).id;
  const contractFile = join(scratch, 'contract.yaml');
  writeFileSync(contractFile, seedContract);
  const contract = await runCli(
    ['workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', contractFile, '-o', 'json'],
    {
      env: admin,
    },
  );
  assert.equal(contract.status, 0, contract.stderr);
  // Revision 1 is the empty contract a workflow starts with; ours is 2, as in the seed's transcript.
  assert.equal(JSON.parse(contract.stdout).revision, 2);
  const robot = await runCli(['workflow', 'robot-account', 'create', '--workflow', 'build-and-test', '-o', 'json'], {
    env: admin,
  });
  assert.equal(robot.status, 0, robot.stderr);
  robotToken = JSON.parse(robot.stdout).token;
  assert.ok(robotToken);
});

after(async () => {
  await cp?.stop();
  await image?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the seed transcript, in dry-run', () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    cwd = seedWorkspace();
    env = baseEnv({ CHAINLOOP_ROBOT_ACCOUNT: robotToken, CHAINLOOP_CONTROL_PLANE_API: cp.url, TMPDIR: cwd });
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('init --dry-run prints the seed tables with nothing set and the env variables NOT FOUND', async () => {
    const init = await runCli(['attestation', 'init', '--dry-run'], { env, cwd });
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stderr, /INF Attestation initialized! now you can check its status or add materials to it/);
    for (const row of [
      /│ Initialized At\s+│ \d\d \w{3} \d\d \d\d:\d\d UTC\s+│/,
      new RegExp(`│ Workflow\\s+│ ${workflowId}\\s+│`),
      /│ Name\s+│ build-and-test\s+│/,
      /│ Team\s+│ cyberdyne core\s+│/,
      /│ Project\s+│ skynet\s+│/,
      /│ Contract Revision\s+│ 2\s+│/,
      /│ NAME\s+│ TYPE\s+│ SET\s+│ REQUIRED\s+│ IS OUTPUT\s+│/,
      /│ skynet-control-plane\s+│ CONTAINER_IMAGE\s+│ No\s+│ Yes\s+│ x\s+│/,
      /│ rootfs\s+│ ARTIFACT\s+│ No\s+│ Yes\s+│\s+│/,
      /│ dockerfile\s+│ ARTIFACT\s+│ No\s+│ No\s+│\s+│/,
      /│ build-ref\s+│ STRING\s+│ No\s+│ Yes\s+│\s+│/,
      /│ skynet-sbom\s+│ SBOM_CYCLONEDX_JSON\s+│ No\s+│ Yes\s+│\s+│/,
      /│ GITHUB_REF\s+│ NOT FOUND\s+│/,
      /│ GITHUB_RUN_ID\s+│ NOT FOUND\s+│/,
      /│ GITHUB_REPOSITORY\s+│ NOT FOUND\s+│/,
    ]) {
      assert.match(init.stdout, row);
    }
  });

  test('the four adds of the seed', async () => {
    const added = await runCli(['attestation', 'add', '--name', 'skynet-control-plane', '--value', image.reference], {
      env,
      cwd,
    });
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stderr, /INF material added to attestation/);

    const rootfs = await runCli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'], { env, cwd });
    assert.equal(rootfs.status, 0, rootfs.stderr);
    const digest = createHash('sha256').update('rootfs\n').digest('hex');
    // A dry run uploads nothing, and says so instead of the seed's "done!" upload line (checked in the real run below).
    assert.match(
      rootfs.stderr,
      new RegExp(`^rootfs\\.tar\\.gz@sha256:${digest} \\.\\.\\. dry-run: not uploaded \\[7B\\]$`, 'm'),
    );
    assert.doesNotMatch(rootfs.stderr, /done!/);

    const ref = await runCli(
      ['attestation', 'add', '--name', 'build-ref', '--value', '80e461e9b385c6986cdb8096c9dc99928943d667'],
      { env, cwd },
    );
    assert.equal(ref.status, 0, ref.stderr);

    const sbom = await runCli(['attestation', 'add', '--name', 'skynet-sbom', '--value', 'sbom.cyclonedx.json'], {
      env,
      cwd,
    });
    assert.equal(sbom.status, 0, sbom.stderr);
  });

  test('status --full shows every required material set, with its value', async () => {
    const status = await runCli(['attestation', 'status', '--full'], { env, cwd });
    assert.equal(status.status, 0, status.stderr);
    const rootfsDigest = createHash('sha256').update('rootfs\n').digest('hex');
    const sbomDigest = createHash('sha256')
      .update(readFileSync(join(cwd, 'sbom.cyclonedx.json')))
      .digest('hex');
    assert.match(status.stdout, /│ NAME\s+│ TYPE\s+│ SET\s+│ REQUIRED\s+│ IS OUTPUT\s+│ VALUE\s+│/);
    assert.match(
      status.stdout,
      new RegExp(
        `│ skynet-control-plane\\s+│ CONTAINER_IMAGE\\s+│ Yes\\s+│ Yes\\s+│ x\\s+│ ${escapeRegExp(`${image.repository}@${image.digest}`)}\\s+│`,
      ),
    );
    assert.match(
      status.stdout,
      new RegExp(`│ rootfs\\s+│ ARTIFACT\\s+│ Yes\\s+│ Yes\\s+│\\s+│ rootfs\\.tar\\.gz@sha256:${rootfsDigest}\\s+│`),
    );
    assert.match(status.stdout, /│ dockerfile\s+│ ARTIFACT\s+│ No\s+│ No\s+│\s+│\s+│/);
    assert.match(
      status.stdout,
      /│ build-ref\s+│ STRING\s+│ Yes\s+│ Yes\s+│\s+│ 80e461e9b385c6986cdb8096c9dc99928943d667\s+│/,
    );
    assert.match(
      status.stdout,
      new RegExp(
        `│ skynet-sbom\\s+│ SBOM_CYCLONEDX_JSON\\s+│ Yes\\s+│ Yes\\s+│\\s+│ sbom\\.cyclonedx\\.json@sha256:${sbomDigest}\\s+│`,
      ),
    );
    assert.match(status.stdout, /Runner context/);
  });

  test('push --key signs with a cosign key and prints the DSSE envelope; dry-run stores nothing', async () => {
    const push = await runCli(['attestation', 'push', '--key', signingKey], {
      env: { ...env, CHAINLOOP_SIGNING_PASSWORD: signingPassword },
      cwd,
    });
    assert.equal(push.status, 0, push.stderr);
    assert.match(push.stderr, /INF Attestation pushed!/);
    const envelope = JSON.parse(push.stdout);
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
    assert.equal(envelope.signatures[0].keyid, '');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.equal(statement.subject[0].name, 'chainloop.workflow.build-and-test');

    const envelopeFile = join(cwd, 'envelope.json');
    writeFileSync(envelopeFile, push.stdout);
    const verify = await runCli(['attestation', 'verify', envelopeFile, '--key', signingPublicKey], { env, cwd });
    assert.equal(verify.status, 0, verify.stderr);

    const runs = await cp.admin().listRuns({ workflow: 'build-and-test' });
    assert.equal(runs.length, 0, 'a dry run creates no run');
    const after = await runCli(['attestation', 'status'], { env, cwd });
    assert.notEqual(after.status, 0, 'push clears the state');
    assert.match(after.stderr, /attestation not yet initialized/);
  });
});

describe('the seed transcript for real, in a GitHub Actions job', () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    cwd = seedWorkspace({ git: true });
    env = baseEnv({
      ...githubActionsEnv(),
      CHAINLOOP_ROBOT_ACCOUNT: robotToken,
      CHAINLOOP_CONTROL_PLANE_API: cp.url,
      TMPDIR: cwd,
    });
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('init, adds, push --key env://… store a signed attestation and the run ends succeeded', async () => {
    const init = await runCli(['attestation', 'init', '--contract-revision', '2'], { env, cwd });
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, /│ GITHUB_REF\s+│ refs\/tags\/v0\.8\.9\s+│/);
    for (const [name, value] of [
      ['skynet-control-plane', image.reference],
      ['rootfs', 'rootfs.tar.gz'],
      ['build-ref', env.GITHUB_SHA ?? ''],
      ['skynet-sbom', 'sbom.cyclonedx.json'],
    ]) {
      const add = await runCli(['attestation', 'add', '--name', name, '--value', value], { env, cwd });
      assert.equal(add.status, 0, `${name}: ${add.stderr}`);
      if (name === 'rootfs') {
        const digest = createHash('sha256').update('rootfs\n').digest('hex');
        assert.match(
          add.stderr,
          // The seed's line shape; how long the upload took is the bench's business, not this test's.
          new RegExp(`rootfs\\.tar\\.gz@sha256:${digest} \\.\\.\\. done! \\[7B in \\d+s; \\d+(\\.\\d)?\\w*B/s\\]`),
        );
      }
    }
    const status = await runCli(['attestation', 'status', '--full'], { env, cwd });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /│ GITHUB_SHA\s+│ a206e709cc21b1bf8e262604a23f9d0fc51a293a\s+│/);
    assert.match(status.stdout, /│ RUNNER_NAME\s+│ Hosted Agent\s+│/);
    // As Chainloop, init in a CI records the runner context as a material of its own: one more row than the seed's
    // table (the seed's own init is a dry run, which collects nothing), set, not required.
    assert.match(
      status.stdout,
      /│ runner-context\s+│ CHAINLOOP_RUNNER_CONTEXT\s+│ Yes\s+│ No\s+│\s+│ runner-context\.json@sha256:[0-9a-f]{64}\s+│/,
    );

    const push = await runCli(
      ['attestation', 'push', '--key', 'env://CHAINLOOP_SIGNING_KEY', '--bundle', 'attestation.bundle.json'],
      {
        env: {
          ...env,
          CHAINLOOP_SIGNING_KEY: readFileSync(signingKey, 'utf8'),
          CHAINLOOP_SIGNING_PASSWORD: signingPassword,
        },
        cwd,
      },
    );
    assert.equal(push.status, 0, push.stderr);
    assert.match(push.stderr, /INF Attestation pushed!/);
    assert.doesNotMatch(push.stdout + push.stderr, /BEGIN ENCRYPTED/);

    const [run] = await cp.admin().listRuns({ workflow: 'build-and-test' });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.runnerType, 'GITHUB_ACTION');
    assert.equal(run.jobUrl, 'https://github.com/chainloop-dev/bedrock/actions/runs/3410079758');

    // Download what the control plane stored and verify it independently of what push printed.
    const stored = await cp.admin().getAttestation(run.id);
    assert.equal(stored.digest, `sha256:${createHash('sha256').update(stored.bundle).digest('hex')}`);
    assert.equal(stored.bundle, readFileSync(join(cwd, 'attestation.bundle.json'), 'utf8'));
    const storedFile = join(cwd, 'stored.bundle.json');
    writeFileSync(storedFile, stored.bundle);
    const verify = await runCli(['attestation', 'verify', storedFile, '--key', signingPublicKey, '-o', 'json'], {
      env,
      cwd,
    });
    assert.equal(verify.status, 0, verify.stderr);

    const statement = JSON.parse(
      Buffer.from(JSON.parse(stored.bundle).dsseEnvelope.payload, 'base64').toString('utf8'),
    );
    assert.equal(statement.predicate.runnerType, 'GITHUB_ACTION');
    assert.equal(statement.predicate.runnerURL, 'https://github.com/chainloop-dev/bedrock/actions/runs/3410079758');
    assert.equal(statement.predicate.env.GITHUB_REF, 'refs/tags/v0.8.9');
    assert.equal(statement.predicate.metadata.workflowRunID, run.id);
    const materials = statement.predicate.materials.map(
      (m: { annotations: Record<string, string> }) =>
        `${m.annotations['chainloop.material.name']}:${m.annotations['chainloop.material.type']}`,
    );
    assert.deepEqual(materials.sort(), [
      'build-ref:STRING',
      'rootfs:ARTIFACT',
      'runner-context:CHAINLOOP_RUNNER_CONTEXT',
      'skynet-control-plane:CONTAINER_IMAGE',
      'skynet-sbom:SBOM_CYCLONEDX_JSON',
    ]);
    const subjects = statement.subject.map((s: { name: string }) => s.name);
    assert.deepEqual(subjects, ['chainloop.workflow.build-and-test', 'git.head', image.repository]);
    // The image subject carries the digest the registry reports (skopeo), not one we computed.
    assert.equal(statement.subject[2].digest.sha256, image.digest.replace('sha256:', ''));

    // The rootfs bytes are in the CAS, downloadable by digest.
    const rootfsDigest = `sha256:${createHash('sha256').update('rootfs\n').digest('hex')}`;
    const admin = baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
    const download = await runCli(
      ['artifact', 'download', '--digest', rootfsDigest, '--output', join(cwd, 'rootfs.copy')],
      { env: admin, cwd },
    );
    assert.equal(download.status, 0, download.stderr);
    assert.equal(readFileSync(join(cwd, 'rootfs.copy'), 'utf8'), 'rootfs\n');

    // The seed's failure step after a successful push is harmless.
    const reset = await runCli(['attestation', 'reset'], { env, cwd });
    assert.equal(reset.status, 0, reset.stderr);
    assert.equal((await cp.admin().getRun(run.id)).status, 'succeeded');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
