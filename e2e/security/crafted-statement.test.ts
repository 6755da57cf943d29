/**
 * A robot cannot read another workflow's CAS blob by naming its digest: a CI job that edits its local crafting state
 * so that an uploaded material carries the victim's digest, then pushes (keyless, with registered workflow keys; or
 * with a cosign key), gets one ERR line naming the material, the run stays open, and the blob stays unreadable.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { baseEnv, runCli } from '../support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../support/control-plane';
import { githubActionsEnv, signingKey, signingPassword, signingPublicKey } from '../support/crafting';

const CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
`;

describe('security: a crafted statement reads nothing', { timeout: 120_000 }, () => {
  let cp: TestControlPlane;
  const scratch = mkdtempSync(join(tmpdir(), 'crafted-e2e-'));
  const secret = randomBytes(2048);
  const secretDigest = `sha256:${createHash('sha256').update(secret).digest('hex')}`;

  before(async () => {
    cp = await startControlPlane();
    const victim = await createWorkflowWithRobot(cp, { name: 'victim', team: 't', project: 'p', contract: CONTRACT });
    const upload = await fetch(`${cp.url}/v1/cas/${secretDigest}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${victim.robotToken}`, 'content-type': 'application/octet-stream' },
      body: secret,
    });
    assert.equal(upload.status, 201);
  });
  after(async () => {
    await cp?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A CI job of a fresh workflow that adds rootfs (uploaded), then swaps its digest for the victim's in the state. */
  async function tamperedJob(name: string) {
    const workflow = await createWorkflowWithRobot(cp, { name, team: 't', project: 'p', contract: CONTRACT });
    const cwd = mkdtempSync(join(scratch, `${name}-`));
    writeFileSync(join(cwd, 'rootfs.tar.gz'), 'rootfs\n');
    const env = baseEnv({
      ...githubActionsEnv(),
      CHAINLOOP_ROBOT_ACCOUNT: workflow.robotToken,
      CHAINLOOP_CONTROL_PLANE_API: cp.url,
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
      TMPDIR: cwd,
    });
    const cli = (args: string[]) => runCli(args, { env, cwd });
    assert.equal((await cli(['attestation', 'init'])).status, 0);
    const add = await cli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz']);
    assert.equal(add.status, 0, add.stderr);
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    assert.equal(state.materials.rootfs.uploadedToCas, true);
    state.materials.rootfs.digest = secretDigest;
    writeFileSync(statePath, JSON.stringify(state));
    const robot = new ControlPlaneClient({ baseUrl: cp.url, token: workflow.robotToken, retries: 0 });
    return { ...workflow, cli, robot };
  }

  async function assertRefused(
    job: Awaited<ReturnType<typeof tamperedJob>>,
    push: { status: number | null; stderr: string },
  ) {
    assert.equal(push.status, 1);
    assert.match(
      push.stderr,
      new RegExp(
        `^ERR attestation refused: material "rootfs" \\(${secretDigest}\\) is marked as uploaded to the CAS but this workflow never uploaded it`,
        'm',
      ),
    );
    assert.equal(push.stderr.match(/^ERR /gm)?.length, 1, 'one error line');
    const [run] = await job.robot.listRuns();
    assert.equal(run.status, 'initialized', 'the run stays open');
    assert.equal(await job.robot.hasBlob(secretDigest), false);
    const read = await fetch(`${cp.url}/v1/cas/${secretDigest}`, {
      headers: { authorization: `Bearer ${job.robotToken}` },
    });
    assert.equal(read.status, 404);
  }

  test('keyless push of the edited state, with workflow keys registered', async () => {
    const job = await tamperedJob('keyless-attacker');
    const addKey = await runCli(
      ['workflow', 'key', 'add', '--workflow', 'keyless-attacker', '--file', signingPublicKey],
      {
        env: baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url }),
      },
    );
    assert.equal(addKey.status, 0, addKey.stderr);
    await assertRefused(job, await job.cli(['attestation', 'push']));
  });

  test('push signed with a cosign key, no keys registered', async () => {
    const job = await tamperedJob('key-attacker');
    await assertRefused(job, await job.cli(['attestation', 'push', '--key', signingKey]));
  });
});
