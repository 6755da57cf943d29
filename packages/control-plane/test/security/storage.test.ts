/**
 * The data directory under stress: a full disk answers 507 STORAGE_FULL and keeps serving; uploads interrupted by a
 * crash (kill -9) leave nothing behind after the next start; everything is private to the owner.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';
import { mountTmpfs } from '../helpers/tmpfs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mode = (path: string) => statSync(path).mode & 0o777;
const octets = { 'content-type': 'application/octet-stream' };

describe('security: storage', { timeout: 120_000 }, () => {
  test('a full disk answers 507 STORAGE_FULL in one piece, keeps nothing, and the server goes on', async () => {
    const disk = mountTmpfs('12m');
    const server = await startControlPlaneProcess({ dataDir: join(disk.path, 'data') });
    try {
      const { token } = await workflowWithRobot(server, 'filler');
      const data = randomBytes(20 * 1024 * 1024);
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      const answer = await call(server, 'PUT', `/v1/cas/${digest}`, { token, body: data, headers: octets });
      assert.equal(answer.status, 507, answer.text);
      assert.deepEqual(answer.json(), {
        code: 'STORAGE_FULL',
        message:
          'the control plane is out of disk space and stored nothing: ask its operator to free space on its data volume, then retry',
      });
      assert.deepEqual(readdirSync(join(server.dataDir, 'cas', 'tmp')), [], 'the partial upload is removed');
      assert.equal((await call(server, 'HEAD', `/v1/cas/${digest}`, { token })).status, 404);
      // The space is free again: small uploads and everything else keep working.
      const small = Buffer.from('fits');
      const smallDigest = `sha256:${createHash('sha256').update(small).digest('hex')}`;
      assert.equal(
        (await call(server, 'PUT', `/v1/cas/${smallDigest}`, { token, body: small, headers: octets })).status,
        201,
      );
      assert.equal((await call(server, 'GET', '/readyz')).status, 200);
      assert.doesNotMatch(server.logs(), /^\s+at |ERR /m);
    } finally {
      await server.stop();
      disk.unmount();
    }
  });

  test('kill -9 mid-upload: the next start removes the dead upload at once, nothing half-written is kept', async () => {
    const dataDir = makeTempDir();
    const first = await startControlPlaneProcess({ dataDir });
    const { token } = await workflowWithRobot(first, 'crashing');
    const data = randomBytes(8 * 1024 * 1024);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const socket = connect(Number(new URL(first.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `PUT /v1/cas/${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
    );
    socket.write(data.subarray(0, 3 * 1024 * 1024));
    const tmp = join(dataDir, 'cas', 'tmp');
    for (let waited = 0; readdirSync(tmp).length === 0 && waited < 5000; waited += 20) await sleep(20);
    assert.equal(readdirSync(tmp).length, 1, 'the upload is in progress');
    first.child.kill('SIGKILL');
    await first.stop();
    socket.destroy();
    assert.equal(readdirSync(tmp).length, 1, 'a crash leaves its temp file behind');

    const second = await startControlPlaneProcess({ dataDir });
    try {
      assert.deepEqual(readdirSync(tmp), [], 'removed at start, not after hours');
      assert.equal((await call(second, 'HEAD', `/v1/cas/${digest}`, { token: second.adminToken })).status, 404);
      // The same upload done again completes.
      assert.equal(
        (await call(second, 'PUT', `/v1/cas/${digest}`, { token, body: data, headers: octets })).status,
        201,
      );
    } finally {
      await second.stop();
      removeDir(dataDir);
    }
  });

  test('an upload of another live process sharing the data dir is left alone', async () => {
    const dataDir = makeTempDir();
    const first = await startControlPlaneProcess({ dataDir });
    const { token } = await workflowWithRobot(first, 'sharing');
    const socket = connect(Number(new URL(first.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `PUT /v1/cas/sha256:${'a'.repeat(64)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`,
    );
    socket.write(randomBytes(1000));
    const tmp = join(dataDir, 'cas', 'tmp');
    for (let waited = 0; readdirSync(tmp).length === 0 && waited < 5000; waited += 20) await sleep(20);
    const second = await startControlPlaneProcess({ dataDir });
    try {
      assert.equal(readdirSync(tmp).length, 1, "the live process's upload survives the other's start");
    } finally {
      socket.destroy();
      await second.stop();
      await first.stop();
      removeDir(dataDir);
    }
  });

  test('the data dir is 0700; the database, its WAL, every blob and the admin token are 0600', async () => {
    const dataDir = makeTempDir();
    const server = await startControlPlaneProcess({ dataDir, adminToken: null });
    try {
      const { token } = await workflowWithRobot(server, 'private');
      const blob = Buffer.from('private bytes');
      const digest = createHash('sha256').update(blob).digest('hex');
      await call(server, 'PUT', `/v1/cas/sha256:${digest}`, { token, body: blob, headers: octets });
      assert.equal(mode(dataDir), 0o700);
      for (const file of ['control-plane.db', 'control-plane.db-wal', 'control-plane.db-shm', 'admin.token']) {
        assert.ok(existsSync(join(dataDir, file)), `${file} exists`);
        assert.equal(mode(join(dataDir, file)), 0o600, file);
      }
      assert.equal(mode(join(dataDir, 'cas', 'sha256', digest.slice(0, 2), digest)), 0o600);
      for (const dir of ['cas', 'cas/sha256', `cas/sha256/${digest.slice(0, 2)}`, 'cas/tmp', 'signing-ca']) {
        assert.equal(mode(join(dataDir, dir)), 0o700, dir);
      }
    } finally {
      await server.stop();
    }
    // An older data dir opened to others is tightened on start (with a warning), a readable token file is reported.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'admin.token'), 0o644);
    chmodSync(join(dataDir, 'control-plane.db'), 0o644);
    const again = await startControlPlaneProcess({ dataDir, adminToken: null });
    try {
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, 'control-plane.db')), 0o600);
      assert.match(
        again.logs(),
        new RegExp(`WRN data directory ${dataDir} was open to group or others \\(mode 0755\\): tightened to 0700`),
      );
      assert.match(
        again.logs(),
        new RegExp(
          `WRN admin token file ${join(dataDir, 'admin.token')} is readable by group or others \\(mode 0644\\): run chmod 600 `,
        ),
      );
    } finally {
      await again.stop();
      removeDir(dataDir);
    }
  });
});
