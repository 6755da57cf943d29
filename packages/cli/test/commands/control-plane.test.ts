import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
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
