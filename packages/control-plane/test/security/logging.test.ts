/**
 * Logging never stops the server: a log line that cannot be written (closed log pipe, stderr on /dev/full, a log
 * file on a full disk) is dropped and counted, and requests go on being answered. A client that gives up mid-request
 * is one warning line, not a stack trace.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  TEST_ADMIN_TOKEN,
  workflowWithRobot,
} from '../helpers/control-plane-process';
import { type DetachedServer, startDetached } from '../helpers/detached-server';
import { fillUp, mountTmpfs } from '../helpers/tmpfs';

/** Sends `count` requests that each log a line; all must be answered. */
async function keepsServing(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/v1/workflows`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    assert.equal(response.status, 200, `request ${i} answered`);
    await response.arrayBuffer();
  }
}

async function droppedLines(url: string): Promise<number> {
  const metrics = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
  ).text();
  return Number(/^chainloop_log_lines_dropped_total (\d+)/m.exec(metrics)?.[1]);
}

describe('security: logging never kills the server', { timeout: 120_000 }, () => {
  test('the reader of its log pipe exits: lines are dropped and counted, requests still answered', async () => {
    const server = await startControlPlaneProcess();
    try {
      server.child.stderr?.destroy();
      await keepsServing(server.url, 50);
      assert.equal(server.child.exitCode, null, 'still running');
      assert.ok((await droppedLines(server.url)) >= 50);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('stderr is /dev/full: every line is dropped, the server serves', async () => {
    const dataDir = makeTempDir();
    const full = openSync('/dev/full', 'w');
    let server: DetachedServer | undefined;
    try {
      server = await startDetached({ dataDir, stderr: full });
      await keepsServing(server.url, 20);
      assert.equal(server.child.exitCode, null);
      assert.ok((await droppedLines(server.url)) >= 20);
    } finally {
      closeSync(full);
      await server?.stop();
      removeDir(dataDir);
    }
  });

  test('its log file fills the disk: the server goes on, and logs again once there is room', async () => {
    const disk = mountTmpfs('1m');
    const dataDir = makeTempDir();
    const logPath = join(disk.path, 'control-plane.log');
    const log = openSync(logPath, 'a');
    let server: DetachedServer | undefined;
    try {
      server = await startDetached({ dataDir, stderr: log });
      fillUp(disk.path, 0);
      // More lines than the log file's last, partly written page can still take.
      await keepsServing(server.url, 300);
      assert.equal(server.child.exitCode, null);
      assert.ok((await droppedLines(server.url)) >= 100);
      // Room again: lines are written again (the log is not given up for good).
      removeDir(join(disk.path, 'filler'));
      await keepsServing(server.url, 1);
      assert.match(readFileSync(logPath, 'utf8'), /INF GET \/v1\/workflows 200 /);
    } finally {
      closeSync(log);
      await server?.stop();
      removeDir(dataDir);
      disk.unmount();
    }
  });

  test('a client that aborts an upload is one warning line, no stack trace', async () => {
    const server = await startControlPlaneProcess();
    try {
      const { token } = await workflowWithRobot(server, 'aborter');
      const digest = `sha256:${createHash('sha256').update('never sent').digest('hex')}`;
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `PUT /v1/cas/${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`,
      );
      socket.write(randomBytes(256 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
      const deadline = Date.now() + 5000;
      while (!/client closed the connection/.test(server.logs()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines = server.logs().split('\n');
      assert.deepEqual(
        lines.filter((line) => line.includes(digest.slice(0, 20))),
        [`WRN PUT /v1/cas/${digest}: the client closed the connection before the request was complete`],
      );
      assert.equal(lines.filter((line) => /^\s+at /.test(line) || line.startsWith('ERR')).length, 0);
      assert.equal((await call(server, 'GET', '/healthz')).status, 200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});
