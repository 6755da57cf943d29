import '../hang-guard';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import { ControlPlaneClient, ControlPlaneError } from '@chainloop-ts/core/client';
import {
  ADMIN_TOKEN,
  closedPort,
  type RunningServer,
  startControlPlane,
  startScriptedServer,
} from './helpers/control-plane';

const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const workDir = mkdtempSync(join(tmpdir(), 'client-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('ControlPlaneClient against the real control plane', () => {
  let server: RunningServer;
  let admin: ControlPlaneClient;
  let robot: ControlPlaneClient;

  before(async () => {
    server = await startControlPlane();
    admin = new ControlPlaneClient({ baseUrl: `${server.url}/`, token: ADMIN_TOKEN });
    await admin.createWorkflow({
      name: 'build-and-test',
      team: 'cyberdyne core',
      project: 'skynet',
      description: 'ci',
    });
    const account = await admin.createRobotAccount('build-and-test', 'ci');
    robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token ?? '' });
  });
  after(() => server.stop());

  test('returns plain typed objects', async () => {
    const [workflow] = await admin.listWorkflows();
    assert.deepEqual(Object.keys(workflow).sort(), ['createdAt', 'description', 'id', 'name', 'project', 'team']);
    assert.equal(workflow.description, 'ci');
    const identity = await robot.whoami();
    assert.deepEqual(identity, { kind: 'robot', workflow });
    const { contract } = await robot.getCraftingContract();
    assert.deepEqual(contract, await admin.getContract(workflow.id, 1));
  });

  test("error answers become ChainloopError with the server's code and one-line message", async () => {
    const error = await admin.getWorkflow('missing').catch((caught: unknown) => caught);
    assert.ok(error instanceof ChainloopError);
    assert.ok(error instanceof ControlPlaneError);
    assert.equal(error.code, 'WORKFLOW_NOT_FOUND');
    assert.equal(error.status, 404);
    assert.equal(error.message, 'workflow "missing" not found: list workflows with chainloop workflow list');
    await assert.rejects(robot.listWorkflows(), { code: 'FORBIDDEN', status: 403 });
    await assert.rejects(new ControlPlaneClient({ baseUrl: server.url, token: 'nope' }).whoami(), {
      code: 'UNAUTHENTICATED',
      status: 401,
    });
  });

  test('readRunState is undefined before the first write, writeRunState returns the new ETag', async () => {
    const run = await robot.createRun({ contractRevision: 1, runnerType: 'RUNNER_TYPE_UNSPECIFIED' });
    assert.equal(await robot.readRunState(run.id), undefined);
    const { etag } = await robot.writeRunState(run.id, { a: 1 });
    assert.deepEqual(await robot.readRunState(run.id), { state: { a: 1 }, etag });
    await assert.rejects(robot.writeRunState(run.id, { a: 2 }), { code: 'STATE_CONFLICT' });
    await assert.rejects(robot.readRunState('00000000-0000-0000-0000-000000000000'), { code: 'RUN_NOT_FOUND' });
  });

  test('uploadBlob, hasBlob and downloadBlob round-trip a file; a missing blob is BLOB_NOT_FOUND', async () => {
    const path = join(workDir, 'rootfs.tar.gz');
    writeFileSync(path, 'rootfs');
    const digest = sha256('rootfs');
    assert.equal(await robot.hasBlob(digest), false);
    assert.deepEqual(await robot.uploadBlob(digest, path), { digest, size: 6 });
    assert.equal(await robot.hasBlob(digest), true);
    const destination = join(workDir, 'downloaded');
    await admin.downloadBlob(digest, destination);
    assert.equal(readFileSync(destination, 'utf8'), 'rootfs');
    await assert.rejects(admin.downloadBlob(sha256('absent'), join(workDir, 'absent')), { code: 'BLOB_NOT_FOUND' });
    assert.equal(existsSync(join(workDir, 'absent')), false);
    await assert.rejects(robot.uploadBlob(sha256('other'), path), { code: 'DIGEST_MISMATCH' });
  });
});

describe('ControlPlaneClient faults', () => {
  test('a refused connection is CONTROL_PLANE_UNREACHABLE naming the URL and the flags to check', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = new ControlPlaneClient({ baseUrl: url, token: 't', retryDelayMs: 5 });
    const error = await client.listWorkflows().catch((caught: unknown) => caught);
    assert.ok(error instanceof ChainloopError);
    assert.equal(error.code, 'CONTROL_PLANE_UNREACHABLE');
    assert.match(
      error.message,
      new RegExp(`${url.replace(/\./g, '\\.')}.*connection refused.*--control-plane / CHAINLOOP_CONTROL_PLANE_API`),
    );
    assert.doesNotMatch(error.message, /\n/);
    // Streamed uploads fail the same way.
    const file = join(workDir, 'file');
    writeFileSync(file, 'x');
    await assert.rejects(client.uploadFileOnePass(file), { code: 'CONTROL_PLANE_UNREACHABLE' });
  });

  test('idempotent calls retry 5xx with backoff; non-idempotent ones do not', async () => {
    let failuresLeft = 2;
    const scripted = await startScriptedServer((request, response) => {
      if (failuresLeft > 0 || request.method === 'POST') {
        failuresLeft--;
        response.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"workflows":[]}');
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: scripted.url, token: 't', retryDelayMs: 5 });
      assert.deepEqual(await client.listWorkflows(), []);
      assert.equal(scripted.requests.length, 3);
      const error = await client
        .createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' })
        .catch((caught: unknown) => caught);
      assert.equal(scripted.requests.length, 4, 'createRun is sent once');
      // Not our JSON error shape: the status is described instead.
      assert.ok(error instanceof ControlPlaneError);
      assert.equal(error.code, 'CONTROL_PLANE_ERROR');
      assert.match(error.message, /503 Service Unavailable to POST \/v1\/crafting\/runs/);
    } finally {
      await scripted.stop();
    }
  });

  test('downloadBlob refuses bytes that do not match the digest and leaves no file', async () => {
    const scripted = await startScriptedServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end('tampered');
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: scripted.url, token: 't' });
      const destination = join(workDir, 'tampered');
      await assert.rejects(client.downloadBlob(sha256('original'), destination), { code: 'DIGEST_MISMATCH' });
      assert.equal(existsSync(destination), false);
    } finally {
      await scripted.stop();
    }
  });

  test('uploadFileOnePass refuses a server digest that differs from the local hash', async () => {
    const scripted = await startScriptedServer((request, response) => {
      request.resume();
      request.on('end', () =>
        response
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ digest: sha256('something else'), size: 4 })),
      );
    });
    try {
      const file = join(workDir, 'data');
      writeFileSync(file, 'data');
      const client = new ControlPlaneClient({ baseUrl: scripted.url, token: 't' });
      await assert.rejects(client.uploadFileOnePass(file), { code: 'DIGEST_MISMATCH', message: /upload it again/ });
    } finally {
      await scripted.stop();
    }
  });

  test('a control plane that accepts but never answers times out as unreachable', async () => {
    const silent = await startScriptedServer(() => {
      // Never answers.
    });
    try {
      const client = new ControlPlaneClient({
        baseUrl: silent.url,
        token: 't',
        retries: 1,
        retryDelayMs: 5,
        timeoutMs: 200,
      });
      await assert.rejects(client.getRun('r'), { code: 'CONTROL_PLANE_UNREACHABLE', message: /no answer in time/ });
      assert.equal(silent.requests.length, 2, 'retried once');
      const file = join(workDir, 'silent');
      writeFileSync(file, 'x');
      await assert.rejects(client.uploadBlob(sha256('x'), file), {
        code: 'CONTROL_PLANE_UNREACHABLE',
        message: /ETIMEDOUT/,
      });
    } finally {
      await silent.stop();
    }
  });

  test('an HTTPS control plane whose certificate is not trusted: one line naming TLS and NODE_EXTRA_CA_CERTS', async () => {
    // A self-signed certificate made by openssl, served by a real TLS server on loopback.
    const key = join(workDir, 'tls.key');
    const cert = join(workDir, 'tls.crt');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_request, response) =>
      response.end('[]'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new ControlPlaneClient({ baseUrl: url, token: 't', retryDelayMs: 5 });
      const error = await client.listWorkflows().catch((caught: unknown) => caught);
      assert.ok(error instanceof ChainloopError);
      assert.equal(error.code, 'CONTROL_PLANE_UNREACHABLE');
      assert.match(error.message, /TLS handshake failed: [A-Z_]+; .*NODE_EXTRA_CA_CERTS/);
      assert.doesNotMatch(error.message, /\n/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a base URL that is not http(s) is a usage error', () => {
    assert.throws(() => new ControlPlaneClient({ baseUrl: 'ftp://x', token: 't' }), UsageError);
    assert.throws(() => new ControlPlaneClient({ baseUrl: 'not a url', token: 't' }), {
      code: 'INVALID_CONTROL_PLANE_URL',
    });
  });
});
