/** --tls-cert/--tls-key serve HTTPS that a client trusting the CA verifies; plain HTTP is not answered. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  controlPlaneBin,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  TEST_ADMIN_TOKEN,
} from '../helpers/control-plane-process';
import { makeTestCa } from '../helpers/test-ca';

const curl = (...args: string[]) => spawnSync('curl', ['-sS', '--max-time', '10', ...args], { encoding: 'utf8' });

describe('security: TLS', { timeout: 60_000 }, () => {
  test('serves HTTPS with the given certificate, verified against a test CA', async () => {
    const dir = makeTempDir('cp-tls-');
    const ca = makeTestCa(dir);
    const server = await startControlPlaneProcess({ args: ['--tls-cert', ca.serverCert, '--tls-key', ca.serverKey] });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.doesNotMatch(server.logs(), /without TLS/);
      const trusted = curl(
        '--cacert',
        ca.caPem,
        '-H',
        `Authorization: Bearer ${TEST_ADMIN_TOKEN}`,
        `${server.url}/v1/workflows`,
      );
      assert.equal(trusted.status, 0, trusted.stderr);
      assert.deepEqual(JSON.parse(trusted.stdout), { workflows: [] });
      const untrusted = curl(`${server.url}/healthz`);
      assert.equal(untrusted.status, 60, 'curl without the CA refuses the certificate');
      // Over TLS the web UI's session cookie is Secure: the browser never sends it over plain HTTP.
      const signIn = curl(
        '-i',
        '--cacert',
        ca.caPem,
        '-H',
        'content-type: application/json',
        '--data',
        JSON.stringify({ token: TEST_ADMIN_TOKEN }),
        `${server.url}/v1/ui/session`,
      );
      assert.equal(signIn.status, 0, signIn.stderr);
      assert.match(
        signIn.stdout,
        /^set-cookie: chainloop_session=[^;\r\n]+;.*HttpOnly; SameSite=Strict;.*; Secure\r?$/im,
      );
      const plain = curl(`${server.url.replace('https:', 'http:')}/healthz`);
      assert.notEqual(plain.status, 0, 'plain HTTP gets no answer');
    } finally {
      await server.stop();
      removeDir(server.dataDir);
      removeDir(dir);
    }
  });

  test('a missing half or an unreadable file stops the start with one line', () => {
    const dir = makeTempDir('cp-tls-');
    try {
      const start = (...args: string[]) =>
        spawnSync(process.execPath, [controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', dir, ...args], {
          encoding: 'utf8',
          env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
          timeout: 20_000,
        });
      const half = start('--tls-cert', `${dir}/server.pem`);
      assert.equal(half.status, 2);
      assert.equal(
        half.stderr,
        'ERR --tls-key is missing: pass both --tls-cert FILE and --tls-key FILE, or neither for plain HTTP\n',
      );
      const missing = start('--tls-cert', `${dir}/nope.pem`, '--tls-key', `${dir}/nope.key`);
      assert.equal(missing.status, 1);
      assert.equal(
        missing.stderr,
        `ERR --tls-cert ${dir}/nope.pem cannot be read (ENOENT): check the path and its permissions\n`,
      );
      writeFileSync(`${dir}/garbage.pem`, 'not a certificate');
      const garbage = start('--tls-cert', `${dir}/garbage.pem`, '--tls-key', `${dir}/garbage.pem`);
      assert.equal(garbage.status, 1);
      assert.match(
        garbage.stderr,
        /^ERR --tls-cert\/--tls-key cannot be used \(.+\): pass a PEM certificate chain and the PEM private key that belongs to it\n$/,
      );
    } finally {
      removeDir(dir);
    }
  });
});
