// `control-plane start --cas oci://…` against Debian's docker-registry with htpasswd: what lands in the registry can be
// pulled with standard tools (skopeo, curl on the distribution API), credentials come from the environment or the
// docker config, and a registry that is unreachable or refuses the credentials stops the start with one line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CAS_ARTIFACT_TYPE } from '../../src/cas/oci-backend';
import { type CasRegistry, REGISTRY_PASSWORD, REGISTRY_USER, startCasRegistry } from '../helpers/cas-registry';
import {
  buildControlPlane,
  type ControlPlaneProcess,
  call,
  controlPlaneBin,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const CREDENTIALS = { CHAINLOOP_CP_CAS_USERNAME: REGISTRY_USER, CHAINLOOP_CP_CAS_PASSWORD: REGISTRY_PASSWORD };

/** `start` that is expected to fail: its exit status and stderr (killed after 20 s). */
function failedStart(args: string[], env: Record<string, string> = {}) {
  buildControlPlane();
  const dataDir = join(makeTempDir('cas-start-'), 'data');
  const result = spawnSync(
    process.execPath,
    [controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: '', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    },
  );
  const created = existsSync(dataDir);
  removeDir(join(dataDir, '..'));
  return { status: result.status, stderr: String(result.stderr), created };
}

/** A docker config folder whose config.json has only `auths` (as `docker login` writes it). */
function dockerConfig(auths: Record<string, { auth: string }>): string {
  const dir = makeTempDir('cas-docker-config-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

const basicAuth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('control plane with --cas oci:// on a registry with htpasswd', { timeout: 120_000 }, () => {
  let registry: CasRegistry;
  let server: ControlPlaneProcess;
  const workDir = makeTempDir('cas-oci-cp-');

  before(async () => {
    registry = await startCasRegistry('htpasswd');
    server = await startControlPlaneProcess({
      args: ['--cas', registry.casUrl(), '--cas-insecure'],
      env: CREDENTIALS,
    });
  });
  after(async () => {
    await server?.stop();
    await registry?.stop();
    removeDir(server?.dataDir ?? '');
    removeDir(workDir);
  });

  test('the start log names the registry and where its credentials come from', () => {
    assert.match(
      server.logs(),
      new RegExp(
        `^INF CAS: OCI registry ${registry.registry.host}/chainloop/cas over plain HTTP \\(credentials: CHAINLOOP_CP_CAS_USERNAME/CHAINLOOP_CP_CAS_PASSWORD\\)$`,
        'm',
      ),
    );
    assert.equal(existsSync(join(server.dataDir, 'cas')), false, 'no filesystem CAS in the data directory');
  });

  test('a blob uploaded through the control plane is pulled back with curl and skopeo, its digest matching', async () => {
    const { robot, token, workflow } = await workflowWithRobot(server, 'build-and-test');
    const data = randomBytes(5 * 1024 * 1024 + 11);
    const digest = sha256(data);
    const put = await call(server, 'PUT', `/v1/cas/${digest}`, {
      token,
      body: data,
      headers: { 'content-type': 'application/octet-stream', 'x-chainloop-file-name': 'rootfs%20v2.tar' },
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(await robot.hasBlob(digest), true);

    const host = registry.registry.host;
    const tag = `docker://${host}/chainloop/cas:${digest.replace(':', '-')}`;
    const creds = `${REGISTRY_USER}:${REGISTRY_PASSWORD}`;
    const manifest = JSON.parse(
      execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, tag], { encoding: 'utf8' }),
    );
    assert.equal(manifest.artifactType, CAS_ARTIFACT_TYPE);
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].digest, digest);
    assert.equal(manifest.layers[0].size, data.length);
    assert.equal(manifest.layers[0].annotations['org.opencontainers.image.title'], 'rootfs v2.tar');
    assert.equal(manifest.annotations['dev.chainloop-ts.cas.workflow.name'], 'build-and-test');
    assert.equal(manifest.annotations['dev.chainloop-ts.cas.workflow.id'], workflow.id);

    // The distribution API, as any tool speaks it.
    const viaCurl = join(workDir, 'blob.curl');
    execFileSync('curl', ['-sSf', '-u', creds, '-o', viaCurl, `http://${host}/v2/chainloop/cas/blobs/${digest}`]);
    assert.equal(sha256(readFileSync(viaCurl)), digest);

    // skopeo copies the artifact (manifest, empty config and the blob) into a directory: the blob is the file.
    const copied = join(workDir, 'skopeo-copy');
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, tag, `dir:${copied}`], {
      stdio: 'pipe',
    });
    assert.equal(sha256(readFileSync(join(copied, digest.slice('sha256:'.length)))), digest);
  });

  test('credentials from the docker config (DOCKER_CONFIG auths) are used when the variables are not set', async () => {
    const host = registry.registry.host;
    const configDir = dockerConfig({ [host]: { auth: basicAuth(REGISTRY_USER, REGISTRY_PASSWORD) } });
    const other = await startControlPlaneProcess({
      args: ['--cas', registry.casUrl(), '--cas-insecure'],
      env: { DOCKER_CONFIG: configDir, CHAINLOOP_CP_CAS_USERNAME: '', CHAINLOOP_CP_CAS_PASSWORD: '' },
    });
    try {
      assert.match(
        other.logs(),
        new RegExp(`credentials: auths\\["${host.replace(/\./g, '\\.')}"\\] in ${configDir}/config.json`),
      );
      const { token } = await workflowWithRobot(other, 'from-docker-config');
      const data = randomBytes(4096);
      const put = await call(other, 'PUT', `/v1/cas/${sha256(data)}`, { token, body: data });
      assert.equal(put.status, 201, put.text);
      const get = await call(other, 'GET', `/v1/cas/${sha256(data)}`, { token: other.adminToken });
      assert.equal(get.status, 200);
    } finally {
      await other.stop();
      removeDir(other.dataDir);
      removeDir(configDir);
    }
  });

  test('a wrong password or no credentials: start fails in one line naming the registry and the fix', () => {
    const host = registry.registry.host;
    const emptyConfig = dockerConfig({});
    const wrong = failedStart(['--cas', registry.casUrl(), '--cas-insecure'], {
      DOCKER_CONFIG: emptyConfig,
      CHAINLOOP_CP_CAS_USERNAME: REGISTRY_USER,
      CHAINLOOP_CP_CAS_PASSWORD: 'not the password',
    });
    assert.equal(wrong.status, 1, wrong.stderr);
    assert.equal(
      wrong.stderr,
      `ERR CAS registry ${host} refused the credentials of user "${REGISTRY_USER}" from CHAINLOOP_CP_CAS_USERNAME/CHAINLOOP_CP_CAS_PASSWORD (HTTP 401 to the API version check (GET /v2/)): correct them there, or set CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD, or add an auths entry for ${host} to ${emptyConfig}/config.json\n`,
    );
    assert.equal(wrong.created, false, 'nothing created in the data directory');

    const none = failedStart(['--cas', registry.casUrl(), '--cas-insecure'], { DOCKER_CONFIG: emptyConfig });
    assert.equal(none.status, 1, none.stderr);
    assert.equal(
      none.stderr,
      `ERR CAS registry ${host} requires authentication (HTTP 401 to the API version check (GET /v2/)) and no credentials were found (anonymous (no entry for ${host} in ${emptyConfig}/config.json)): set CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD, or add an auths entry for ${host} to ${emptyConfig}/config.json\n`,
    );
    removeDir(emptyConfig);
  });
});

describe('--cas refusals', { timeout: 60_000 }, () => {
  test('a registry that goes away: /readyz answers 503 and uploads 503 CAS_UNREACHABLE in one line', async () => {
    const registry = await startCasRegistry('anonymous');
    const server = await startControlPlaneProcess({ args: ['--cas', registry.casUrl(), '--cas-insecure'] });
    try {
      const { token } = await workflowWithRobot(server, 'registry-gone');
      assert.equal((await call(server, 'GET', '/readyz')).status, 200);
      await registry.stop();
      const ready = await call(server, 'GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json().code, 'NOT_READY');
      assert.match(
        ready.json().message,
        new RegExp(`^the CAS is not answering: CAS registry ${registry.registry.host} is unreachable`),
      );
      const data = randomBytes(1024);
      const put = await call(server, 'PUT', `/v1/cas/${sha256(data)}`, { token, body: data });
      assert.equal(put.status, 503);
      assert.deepEqual(put.json(), {
        code: 'CAS_UNREACHABLE',
        message: `CAS registry ${registry.registry.host} is unreachable at http://${registry.registry.host} (ECONNREFUSED): check the --cas address and that the registry is running`,
      });
    } finally {
      await server.stop();
      await registry.stop();
      removeDir(server.dataDir);
    }
  });

  test('an unreachable registry: start fails in one line naming it and the fix', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const result = failedStart(['--cas', `oci://127.0.0.1:${port}/chainloop/cas`, '--cas-insecure']);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(
      result.stderr,
      `ERR CAS registry 127.0.0.1:${port} is unreachable at http://127.0.0.1:${port} (ECONNREFUSED): check the --cas address and that the registry is running\n`,
    );
    assert.equal(result.created, false);
  });

  test('--cas-insecure for a registry off loopback, a malformed --cas and half the credentials are usage errors', () => {
    const offLoopback = failedStart(['--cas', 'oci://registry.example.com/chainloop/cas', '--cas-insecure']);
    assert.equal(offLoopback.status, 2);
    assert.equal(
      offLoopback.stderr,
      'ERR --cas-insecure is only allowed for a registry on loopback (127.0.0.1, ::1, localhost), not registry.example.com: serve that registry over HTTPS (a private CA goes in NODE_EXTRA_CA_CERTS)\n',
    );
    const malformed = failedStart(['--cas', 's3://bucket/cas']);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /^ERR --cas "s3:\/\/bucket\/cas" is not oci:\/\/host\[:port\]\/repository: .+\n$/);
    const half = failedStart(['--cas', 'oci://127.0.0.1:5000/cas', '--cas-insecure'], {
      CHAINLOOP_CP_CAS_USERNAME: 'someone',
    });
    assert.equal(half.status, 2);
    assert.match(half.stderr, /^ERR CHAINLOOP_CP_CAS_PASSWORD is not set: set both .+\n$/);
    const stray = failedStart(['--cas-insecure']);
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /^ERR --cas-insecure needs --cas oci:\/\/host\[:port\]\/repository/);
  });
});
