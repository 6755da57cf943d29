/**
 * A control plane serving HTTPS (--tls-cert/--tls-key) with a certificate from a private CA: the CLI trusts it through
 * NODE_EXTRA_CA_CERTS and crafts and pushes over TLS; without the CA it gets one line naming the TLS failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestCa, type TestCa } from '../../packages/control-plane/test/helpers/test-ca';
import { baseEnv, runCli } from '../support/cli';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { githubActionsEnv } from '../support/crafting';

describe('security: TLS end to end', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-e2e-'));
  let ca: TestCa;
  let cp: TestControlPlane;

  before(async () => {
    ca = makeTestCa(dir);
    cp = await startControlPlane({ args: ['--tls-cert', ca.serverCert, '--tls-key', ca.serverKey] });
  });
  after(async () => {
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the CLI trusting the CA administers, crafts and pushes keyless over HTTPS', async () => {
    assert.match(cp.url, /^https:\/\//);
    const admin = baseEnv({
      CHAINLOOP_TOKEN: cp.adminToken,
      CHAINLOOP_CONTROL_PLANE_API: cp.url,
      NODE_EXTRA_CA_CERTS: ca.caPem,
    });
    const create = await runCli(['workflow', 'create', '--name', 'tls', '--team', 't', '--project', 'p'], {
      env: admin,
    });
    assert.equal(create.status, 0, create.stderr);
    writeFileSync(join(dir, 'contract.yaml'), 'schemaVersion: v1\nmaterials:\n  - name: rootfs\n    type: ARTIFACT\n');
    const contract = await runCli(
      ['workflow', 'contract', 'update', '--workflow', 'tls', '--file', join(dir, 'contract.yaml')],
      {
        env: admin,
      },
    );
    assert.equal(contract.status, 0, contract.stderr);
    const robot = await runCli(['workflow', 'robot-account', 'create', '--workflow', 'tls', '-o', 'json'], {
      env: admin,
    });
    assert.equal(robot.status, 0, robot.stderr);
    const token = JSON.parse(robot.stdout).token;
    writeFileSync(join(dir, 'rootfs.tar.gz'), 'rootfs\n');
    const env = baseEnv({
      ...githubActionsEnv(),
      CHAINLOOP_ROBOT_ACCOUNT: token,
      CHAINLOOP_CONTROL_PLANE_API: cp.url,
      NODE_EXTRA_CA_CERTS: ca.caPem,
      TMPDIR: dir,
    });
    for (const args of [
      ['attestation', 'init'],
      ['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'],
      ['attestation', 'push'],
    ]) {
      const result = await runCli(args, { env, cwd: dir });
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    }
  });

  test('without the CA: one line naming the TLS failure and NODE_EXTRA_CA_CERTS', async () => {
    const result = await runCli(['workflow', 'list'], {
      env: baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url }),
    });
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^ERR cannot reach the control plane at https:\/\/\S+ \(TLS handshake failed: \w+; if its certificate is private, trust its CA with NODE_EXTRA_CA_CERTS\)[^\n]*\n$/,
    );
  });
});
