/**
 * A control plane whose data volume is full (a real 20 MiB tmpfs): `attestation add` of an 80 MiB file ends with one
 * ERR line carrying the server's "out of disk space" message, sends the body once (no retry of a 507), and keeps no
 * half material in the crafting state.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mountTmpfs, type Tmpfs } from '../../packages/control-plane/test/helpers/tmpfs';
import { baseEnv, runCli } from '../support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../support/control-plane';

const CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
`;
const STORAGE_FULL_MESSAGE =
  'the control plane is out of disk space and stored nothing: ask its operator to free space on its data volume, then retry';

describe('disk full on the control plane', { timeout: 120_000 }, () => {
  let volume: Tmpfs | undefined;
  let cp: TestControlPlane | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'disk-full-e2e-'));

  before(async () => {
    // Fails the suite with mount's reason (e.g. not root) rather than skipping.
    volume = mountTmpfs('20m');
    const dataDir = join(volume.path, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    cp = await startControlPlane({ dataDir });
  });
  after(async () => {
    await cp?.stop();
    volume?.unmount();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('add of an 80 MiB file: exit 1, one ERR line with the server message, one upload, no half material', async () => {
    if (!cp) throw new Error('no control plane');
    const { robotToken } = await createWorkflowWithRobot(cp, {
      name: 'disk-full',
      team: 'cyberdyne core',
      project: 'skynet',
      contract: CONTRACT,
    });
    const cwd = mkdtempSync(join(scratch, 'job-'));
    writeFileSync(join(cwd, 'rootfs.tar.gz'), Buffer.alloc(80 * 1024 * 1024, 7));
    const statePath = join(cwd, 'state.json');
    const env = baseEnv({ CHAINLOOP_ROBOT_ACCOUNT: robotToken, CHAINLOOP_CONTROL_PLANE_API: cp.url, TMPDIR: cwd });
    const cli = (args: string[]) => runCli([...args, '--local-state-path', statePath], { env, cwd });

    const init = await cli(['attestation', 'init']);
    assert.equal(init.status, 0, init.stderr);
    cp.takeLog();

    const add = await cli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz']);
    assert.equal(add.status, 1, `${add.stdout}\n${add.stderr}`);
    const errLines = add.stderr.split('\n').filter((line) => line.startsWith('ERR '));
    assert.equal(errLines.length, 1, add.stderr);
    assert.equal(errLines[0], `ERR ${STORAGE_FULL_MESSAGE}`);
    assert.doesNotMatch(add.stderr, /WRN|retrying|ECONNRESET|EPIPE|cannot reach/, add.stderr);

    // Give the server a moment to log the request it answered.
    await new Promise((done) => setTimeout(done, 300));
    // The request log: one `INF METHOD PATH STATUS TIME` line per request answered.
    const uploads = cp
      .takeLog()
      .filter((line) => /^INF (PUT \/v1\/cas\/sha256:[0-9a-f]{64}|POST \/v1\/cas\/uploads) \d{3} /.test(line));
    assert.equal(uploads.length, 1, `exactly one upload request, got:\n${uploads.join('\n')}`);
    assert.match(uploads[0], / 507 /);

    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    assert.deepEqual(state.materials, {}, 'no half material in the crafting state');
  });
});
