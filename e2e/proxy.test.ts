/**
 * CI jobs behind a corporate proxy: every request of the CLI (admin API, init, the CAS upload of `add`, the keyless
 * certificate and the push) goes through the proxy HTTPS_PROXY / HTTP_PROXY names, unless NO_PROXY exempts the host;
 * loopback is not exempt by itself (as for curl). The proxy is a real one, Debian's tinyproxy on 127.0.0.1 with Basic
 * credentials: its log shows what it relayed, and with it stopped the CLI fails in one line, so it really used it.
 * The proxy's password never appears in anything the CLI prints.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeDryRunState } from '../packages/cli/test/helpers/dry-run-state';
import { makeTestCa, type TestCa } from '../packages/control-plane/test/helpers/test-ca';
import { baseEnv, type CliResult, runCli } from './support/cli';
import { startControlPlane, type TestControlPlane } from './support/control-plane';
import { githubActionsEnv } from './support/crafting';
import { startSeedImage } from './support/registry';
import { startTinyproxy, type Tinyproxy } from './support/tinyproxy';

const PASSWORD = `proxy-pw-${randomBytes(8).toString('hex')}`;
const CONTRACT = 'schemaVersion: v1\nmaterials:\n  - name: rootfs\n    type: ARTIFACT\n';

describe('behind a proxy', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-'));
  let ca: TestCa;
  let tls: TestControlPlane;
  let plain: TestControlPlane;
  let proxy: Tinyproxy;
  /** A proxy that was started and stopped: nothing listens at its port. */
  let gone: Tinyproxy;
  let workflows = 0;

  before(async () => {
    ca = makeTestCa(dir);
    tls = await startControlPlane({ args: ['--tls-cert', ca.serverCert, '--tls-key', ca.serverKey] });
    plain = await startControlPlane();
    proxy = await startTinyproxy({ user: 'ci-job', password: PASSWORD });
    gone = await startTinyproxy({ user: 'ci-job', password: PASSWORD });
    await gone.stop();
    writeFileSync(join(dir, 'contract.yaml'), CONTRACT);
    writeFileSync(join(dir, 'rootfs.tar.gz'), 'rootfs\n');
  });
  after(async () => {
    await proxy?.stop();
    await tls?.stop();
    await plain?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function assertNoPassword(results: CliResult[]): void {
    for (const result of results) {
      assert.ok(!result.stdout.includes(PASSWORD) && !result.stderr.includes(PASSWORD), 'the password is printed');
      const encoded = Buffer.from(`ci-job:${PASSWORD}`).toString('base64');
      assert.ok(!`${result.stdout}${result.stderr}`.includes(encoded), 'the encoded credentials are printed');
    }
  }

  function onlyErrLine(result: CliResult): string {
    assert.equal(result.status, 1, result.stderr);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
    assert.equal(errors.length, 1, result.stderr);
    return errors[0];
  }

  /** What the seed does: a workflow with a contract and a robot account, then init, add a file, push (keyless). */
  async function seedFlow(cp: TestControlPlane, proxyEnv: Record<string, string>): Promise<CliResult[]> {
    const name = `proxied-${++workflows}`;
    const common = { CHAINLOOP_CONTROL_PLANE_API: cp.url, NODE_EXTRA_CA_CERTS: ca.caPem, ...proxyEnv };
    const admin = baseEnv({ ...common, CHAINLOOP_TOKEN: cp.adminToken });
    const results: CliResult[] = [];
    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      const result = await runCli(args, { env, cwd: dir });
      results.push(result);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    await run(['workflow', 'create', '--name', name, '--team', 't', '--project', 'p'], admin);
    await run(['workflow', 'contract', 'update', '--workflow', name, '--file', join(dir, 'contract.yaml')], admin);
    const robot = await run(['workflow', 'robot-account', 'create', '--workflow', name, '-o', 'json'], admin);
    const env = baseEnv({
      ...githubActionsEnv(),
      ...common,
      CHAINLOOP_ROBOT_ACCOUNT: JSON.parse(robot.stdout).token,
      TMPDIR: dir,
    });
    await run(['attestation', 'init'], env);
    await run(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'], env);
    await run(['attestation', 'push'], env);
    return results;
  }

  test('an HTTPS control plane through HTTPS_PROXY with credentials: every command (the push too) tunnels through the proxy, the password is never printed', async () => {
    const before = proxy.requests().length;
    const results = await seedFlow(tls, { HTTPS_PROXY: proxy.url });
    const relayed = proxy.requests().slice(before);
    const port = new URL(tls.url).port;
    // One tunnel per command at least (each is its own process): 3 admin commands, init, add, push.
    assert.ok(relayed.length >= 6, relayed.join('\n'));
    assert.deepEqual(
      relayed.filter((line) => line !== `CONNECT 127.0.0.1:${port}`),
      [],
      'only tunnels to the control plane',
    );
    assertNoPassword(results);
  });

  test('a plain-http control plane through HTTP_PROXY: each API call and the CAS upload is relayed to the control plane', async () => {
    const before = proxy.requests().length;
    const results = await seedFlow(plain, { http_proxy: proxy.url });
    const relayed = proxy.requests().slice(before);
    const base = `${plain.url}/v1/`;
    assert.ok(
      relayed.every((line) => line.split(' ')[1].startsWith(base)),
      relayed.join('\n'),
    );
    assert.ok(
      relayed.some((line) => /^(PUT|POST) \S+\/v1\/cas/.test(line)),
      `the CAS upload went through the proxy:\n${relayed.join('\n')}`,
    );
    assert.ok(
      relayed.some((line) => /^POST \S+\/v1\/.*(cert|sign)/.test(line)),
      `the keyless certificate request went through the proxy:\n${relayed.join('\n')}`,
    );
    assertNoPassword(results);
  });

  test('the proxy not running: one ERR line naming the proxy without its credentials, the reason and the fix', async () => {
    const env = baseEnv({
      CHAINLOOP_TOKEN: tls.adminToken,
      CHAINLOOP_CONTROL_PLANE_API: tls.url,
      NODE_EXTRA_CA_CERTS: ca.caPem,
      https_proxy: gone.url,
    });
    const result = await runCli(['workflow', 'list'], { env });
    assert.equal(
      onlyErrLine(result),
      `ERR cannot reach the proxy ${gone.origin} (from https_proxy) for ${tls.url} (connection refused): check https_proxy, or add 127.0.0.1 to NO_PROXY to connect directly`,
    );
    assertNoPassword([result]);
    // The push's own error names it too (a robot token, a crafting command).
    const plainEnv = baseEnv({ CHAINLOOP_ROBOT_ACCOUNT: 'robot-token', CHAINLOOP_CONTROL_PLANE_API: plain.url });
    const init = await runCli(['attestation', 'init'], {
      env: { ...plainEnv, ...githubActionsEnv(), HTTP_PROXY: gone.url, TMPDIR: dir },
      cwd: dir,
    });
    assert.match(onlyErrLine(init), new RegExp(`^ERR cannot reach the proxy ${gone.origin} \\(from HTTP_PROXY\\)`));
    assertNoPassword([init]);
  });

  test('wrong proxy credentials: one ERR line saying the proxy refused, without the password', async () => {
    const wrong = proxy.url.replace(PASSWORD, `${PASSWORD}-wrong`);
    const result = await runCli(['workflow', 'list'], {
      env: baseEnv({
        CHAINLOOP_TOKEN: tls.adminToken,
        CHAINLOOP_CONTROL_PLANE_API: tls.url,
        NODE_EXTRA_CA_CERTS: ca.caPem,
        HTTPS_PROXY: wrong,
      }),
    });
    const port = new URL(tls.url).port;
    assert.match(
      onlyErrLine(result),
      new RegExp(
        `^ERR the proxy ${proxy.origin} \\(from HTTPS_PROXY\\) refused to connect to 127\\.0\\.0\\.1:${port} \\(40[17] [^)]*user and password[^)]*\\): check HTTPS_PROXY, or add 127\\.0\\.0\\.1 to NO_PROXY to connect directly$`,
      ),
    );
    assertNoPassword([result]);
  });

  test('NO_PROXY exempts the host (as a name, with its port, or *): requests go direct; other entries do not', async () => {
    const port = new URL(tls.url).port;
    const env = (noProxy: string) =>
      baseEnv({
        CHAINLOOP_TOKEN: tls.adminToken,
        CHAINLOOP_CONTROL_PLANE_API: tls.url,
        NODE_EXTRA_CA_CERTS: ca.caPem,
        HTTPS_PROXY: gone.url,
        NO_PROXY: noProxy,
      });
    for (const noProxy of ['127.0.0.1', `example.com, 127.0.0.1:${port}`, '*', '127.0.0.0/8']) {
      const result = await runCli(['workflow', 'list', '-o', 'json'], { env: env(noProxy) });
      assert.equal(result.status, 0, `NO_PROXY=${noProxy}: ${result.stderr}`);
    }
    for (const noProxy of ['localhost', '127.0.0.1:1', '127.0.0.10']) {
      const result = await runCli(['workflow', 'list', '-o', 'json'], { env: env(noProxy) });
      assert.match(onlyErrLine(result), /^ERR cannot reach the proxy /, `NO_PROXY=${noProxy}`);
    }
    // With a running proxy, an exempt host is never relayed.
    const before = proxy.requests().length;
    const direct = await runCli(['workflow', 'list'], {
      env: { ...env('127.0.0.1'), HTTPS_PROXY: proxy.url },
    });
    assert.equal(direct.status, 0, direct.stderr);
    assert.deepEqual(proxy.requests().slice(before), []);
  });

  test('an image is resolved through the proxy too (the OCI registry client); the proxy down names the proxy', async () => {
    const image = await startSeedImage();
    try {
      const state = join(dir, 'image.state.json');
      const add = (proxyUrl: string) => {
        writeDryRunState(state);
        return runCli(
          [
            'attestation',
            'add',
            '--name',
            'image',
            '--kind',
            'CONTAINER_IMAGE',
            '--value',
            image.reference,
            '--local-state-path',
            state,
          ],
          {
            env: baseEnv({ HTTP_PROXY: proxyUrl }),
            cwd: dir,
          },
        );
      };
      const before = proxy.requests().length;
      const added = await add(proxy.url);
      assert.equal(added.status, 0, added.stderr);
      assert.ok(readFileSync(state, 'utf8').includes(image.digest.replace(/^sha256:/, '')), 'the digest is recorded');
      const [registry, ...path] = image.repository.split('/');
      assert.ok(
        proxy
          .requests()
          .slice(before)
          .some((line) => line.includes(`http://${registry}/v2/${path.join('/')}/manifests/v0.7.6`)),
        proxy.requests().slice(before).join('\n'),
      );
      const failed = await add(gone.url);
      assert.equal(
        onlyErrLine(failed),
        `ERR material "image": cannot reach the proxy ${gone.origin} (from HTTP_PROXY) for http://${registry} (connection refused): check HTTP_PROXY, or add 127.0.0.1 to NO_PROXY to connect directly`,
      );
      assertNoPassword([added, failed]);
    } finally {
      await image.stop();
    }
  });

  test('without a proxy variable the proxy code is never unpacked from the bundle (start-up cost); with one it is', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const packed = () =>
      existsSync(join(home, '.cache'))
        ? readdirSync(join(home, '.cache'), { recursive: true })
            .map(String)
            .filter((name) => /proxy-agent/.test(name))
        : [];
    const env = baseEnv({
      HOME: home,
      CHAINLOOP_TOKEN: plain.adminToken,
      CHAINLOOP_CONTROL_PLANE_API: plain.url,
    });
    const direct = await runCli(['workflow', 'list'], { env });
    assert.equal(direct.status, 0, direct.stderr);
    assert.deepEqual(packed(), []);
    const proxied = await runCli(['workflow', 'list'], { env: { ...env, HTTP_PROXY: proxy.url } });
    assert.equal(proxied.status, 0, proxied.stderr);
    assert.equal(packed().length, 1, 'the http proxy agent was unpacked (and its compile cached)');
  });
});
