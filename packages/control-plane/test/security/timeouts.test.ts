/**
 * No stuck sockets: a request body that stalls is cut after --body-timeout (and its upload's temp file removed at
 * once), headers that never complete after --headers-timeout, an idle kept-alive connection after
 * --keep-alive-timeout. A slow upload that keeps sending is not cut.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ControlPlaneProcess,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw connection to the server, with what it received and when it was closed. */
async function rawConnection(server: ControlPlaneProcess) {
  const socket: Socket = connect(Number(new URL(server.url).port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  return { socket, closed, received: () => received };
}

describe('security: timeouts', { timeout: 90_000 }, () => {
  let server: ControlPlaneProcess;
  let token: string;
  const tempFiles = () => readdirSync(join(server.dataDir, 'cas', 'tmp'));

  before(async () => {
    server = await startControlPlaneProcess({
      args: ['--body-timeout', '1s', '--headers-timeout', '1s', '--keep-alive-timeout', '1s'],
    });
    ({ token } = await workflowWithRobot(server, 'stalled'));
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('a stalled upload is closed after the body timeout and its temp file removed at once', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const connection = await rawConnection(server);
    const started = Date.now();
    connection.socket.write(
      `PUT /v1/cas/${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
    );
    connection.socket.write(data.subarray(0, 1024 * 1024));
    await sleep(300);
    assert.equal(tempFiles().length, 1, 'the upload is being written to a temp file');
    const closedAt = await connection.closed;
    assert.ok(closedAt - started < 5000, `closed after ${closedAt - started} ms`);
    // Removed as the aborted upload unwinds, a moment after the socket closed (not hours later).
    for (let waited = 0; tempFiles().length > 0 && waited < 1000; waited += 20) await sleep(20);
    assert.deepEqual(tempFiles(), []);
    assert.deepEqual(
      server
        .logs()
        .split('\n')
        .filter((line) => line.includes(digest)),
      [`WRN PUT /v1/cas/${digest}: no byte of the request body for 1s, connection closed`],
    );
  });

  test('a slow upload that keeps sending is not cut by the idle timeout', async () => {
    const data = randomBytes(64 * 1024);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const connection = await rawConnection(server);
    connection.socket.write(
      `PUT /v1/cas/${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
    );
    // 8 pieces 400 ms apart: 3.2 s in all, never 1 s without a byte.
    for (let piece = 0; piece < 8; piece++) {
      connection.socket.write(data.subarray(piece * 8192, (piece + 1) * 8192));
      await sleep(400);
    }
    while (!connection.received().includes('\r\n\r\n{')) await sleep(20);
    assert.match(connection.received(), /^HTTP\/1\.1 201 /);
    connection.socket.destroy();
  });

  test('headers that never complete get 408 in the error shape and the connection is closed', async () => {
    const connection = await rawConnection(server);
    const started = Date.now();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const closedAt = await connection.closed;
    assert.ok(closedAt - started < 4000, `closed after ${closedAt - started} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    const body = JSON.parse(connection.received().split('\r\n\r\n')[1]);
    assert.equal(body.code, 'REQUEST_TIMEOUT');
    assert.equal(typeof body.message, 'string');
  });

  test('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const connection = await rawConnection(server);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!connection.received().includes('"ok"')) await sleep(20);
    const answeredAt = Date.now();
    const closedAt = await connection.closed;
    assert.ok(closedAt - answeredAt >= 800 && closedAt - answeredAt < 4000, `closed ${closedAt - answeredAt} ms after`);
  });
});
