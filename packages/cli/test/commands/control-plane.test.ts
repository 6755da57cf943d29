import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliBundle, runCli, startWithCli } from '../helpers/control-plane-cli';

test('control-plane start runs the embedded control plane from the bundle and stops cleanly on SIGTERM', {
  timeout: 120_000,
}, async () => {
  const server = await startWithCli([], null);
  const tokenFile = join(server.dataDir, 'admin.token');
  try {
    assert.match(server.logs(), new RegExp(`admin token: generated into ${tokenFile}`));
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const listed = runCli(['workflow', 'list', '-o', 'json', '--control-plane', server.url, '--token', token]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), []);
    assert.equal(((await (await fetch(`${server.url}/healthz`)).json()) as { status: string }).status, 'ok');
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.match(server.logs(), /INF control plane stopped/);
});

test('the CLI bundle loads the control plane lazily and carries none of it', () => {
  const text = readFileSync(cliBundle, 'utf8');
  // The bundle may be embedded as a string literal (see build.mjs), hence the optional escaped quotes.
  assert.match(text, /require\(\\?"@chainloop-ts\/control-plane\\?"\)/);
  assert.doesNotMatch(text, /better-sqlite3|fastify|prom-client/);
});

test('bad start flags are usage errors naming the flag', () => {
  const result = runCli(['control-plane', 'start', '--listen', 'nowhere', '--data-dir', '/tmp/unused-cli-cp']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^ERR --listen "nowhere" is not host:port: use e\.g\. 127\.0\.0\.1:8000/m);
  const expiry = runCli(['control-plane', 'start', '--run-expiry', 'soon', '--data-dir', '/tmp/unused-cli-cp']);
  assert.equal(expiry.status, 2);
  assert.match(expiry.stderr, /--run-expiry "soon" is not a duration/);
});

test('control-plane start with only the CLI installed: one line saying how to get the control plane, nothing created', {
  timeout: 60_000,
}, () => {
  // The bundle alone in a directory with no node_modules above it, as a user who installed only the CLI has it.
  const alone = mkdtempSync(join(tmpdir(), 'cli-alone-'));
  try {
    const bundle = join(alone, 'chainloop.cjs');
    copyFileSync(cliBundle, bundle);
    const dataDir = join(alone, 'data');
    const result = spawnSync(process.execPath, [bundle, 'control-plane', 'start', '--data-dir', dataDir], {
      cwd: alone,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(
      result.stderr,
      'ERR control-plane start: the control plane is not installed next to this CLI: run npm install -g @chainloop-ts/control-plane (then chainloop control-plane start again), or npx @chainloop-ts/control-plane start\n',
    );
    assert.equal(existsSync(dataDir), false, 'nothing is created before the control plane is found');
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});

test('control-plane start on a busy port: one line, exit 1, and the data dir is not created', {
  timeout: 60_000,
}, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'cli-cp-busy-'));
  try {
    const dataDir = join(dir, 'data');
    const result = runCli(['control-plane', 'start', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `ERR cannot listen on 127.0.0.1:${port}: port ${port} is in use by another process: stop that process, or pick another port with --listen (port 0 picks a free one)\n`,
    );
    assert.equal(existsSync(dataDir), false, 'nothing is created before the port is bound');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control-plane start with an unusable --data-dir: one line naming it, why and the fix, at once', {
  timeout: 60_000,
}, () => {
  const proc = runCli(['control-plane', 'start', '--listen', '127.0.0.1:0', '--data-dir', '/proc/chainloop']);
  assert.equal(proc.status, 1);
  assert.equal(
    proc.stderr,
    "ERR data directory /proc/chainloop cannot be used: /proc is on procfs, a view of the kernel's state and not a writable filesystem: pass --data-dir with a writable directory\n",
  );
  const dir = mkdtempSync(join(tmpdir(), 'cli-cp-file-'));
  try {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    const inTheWay = runCli(['control-plane', 'start', '--listen', '127.0.0.1:0', '--data-dir', file]);
    assert.equal(inTheWay.status, 1);
    assert.equal(
      inTheWay.stderr,
      `ERR data directory ${file} cannot be used: ${file} is a file, not a directory: pass --data-dir with a directory, or move the file away\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control-plane start -o json: the listening line as one JSON object on stdout, never the token', {
  timeout: 120_000,
}, async () => {
  for (const args of [
    ['-o', 'json'],
    ['--output', 'json'],
  ]) {
    const server = await startWithCli(args, null, { stdout: true });
    try {
      const line = await server.stdoutLine();
      const tokenFile = join(server.dataDir, 'admin.token');
      assert.deepEqual(JSON.parse(line), {
        url: server.url,
        dataDir: server.dataDir,
        storage: 'sqlite',
        adminToken: { origin: 'file', path: tokenFile, generated: true },
        signingCa: {
          origin: 'generated',
          certPath: join(server.dataDir, 'signing-ca', 'ca.pem'),
          keyPath: join(server.dataDir, 'signing-ca', 'ca.key'),
        },
      });
      assert.equal(line.includes(readFileSync(tokenFile, 'utf8').trim()), false);
      assert.match(server.logs(), /^INF control plane listening on /m, 'the log lines stay on stderr');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  }
});
