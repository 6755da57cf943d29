import '../hang-guard';
// Authenticated resolution against real CNCF registries on loopback: htpasswd Basic auth, and Bearer tokens from a
// token server the registry trusts through auth.token.rootcertbundle. Credentials come from the docker keychain.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clearTokenCache } from '../../src/oci/auth';
import { type ResolveImageOptions, resolveContainerImage } from '../../src/oci/resolve';
import { cosignSignatureTag } from '../../src/oci/signatures';
import { basicAuthField, makeDockerConfig, type TempDockerConfig } from './fixtures/docker-config';
import { buildImage, type Creds, pushImage, skopeoDigest } from './fixtures/images';
import { type RunningRegistry, startRegistry } from './fixtures/registry';
import { type RunningTokenServer, startTokenServer } from './fixtures/token-server';

const USER = 'ci-robot';
const PASSWORD = 'S3cret-never-shown';
const WRONG_PASSWORD = 'Wr0ng-never-shown';
const IDENTITY_TOKEN = 'refresh-token-never-shown';
const creds: Creds = { username: USER, password: PASSWORD };

/** Builds a signed-looking image in `dir` and pushes it as app:v1 plus its cosign signature tag; returns the digests. */
async function pushTestImage(dir: string, host: string): Promise<{ image: string; signature: string }> {
  const layout = join(dir, 'layout');
  await buildImage(layout, 'v1', `image for ${host}`);
  await buildImage(layout, 'sig', 'stands in for a cosign signature manifest');
  await pushImage(layout, 'v1', `${host}/app:v1`, creds);
  const image = await skopeoDigest(`${host}/app:v1`, creds);
  await pushImage(layout, 'sig', `${host}/app:${cosignSignatureTag(image)}`, creds);
  return { image, signature: await skopeoDigest(`${host}/app:${cosignSignatureTag(image)}`, creds) };
}

function assertNoSecret(error: Error): void {
  assert.ok(
    !error.message.includes(PASSWORD) && !error.message.includes(WRONG_PASSWORD),
    `secret in message: ${error.message}`,
  );
  assert.ok(
    !String(error.stack).includes(PASSWORD) && !String(error.stack).includes(WRONG_PASSWORD),
    'secret in stack',
  );
}

describe('htpasswd Basic auth', () => {
  let registry: RunningRegistry;
  let dir: string;
  let expected: { image: string; signature: string };
  const configs: TempDockerConfig[] = [];
  const config = (...args: Parameters<typeof makeDockerConfig>) => {
    const made = makeDockerConfig(...args);
    configs.push(made);
    return made;
  };
  const opts = (docker: TempDockerConfig, extra: ResolveImageOptions = {}): ResolveImageOptions => ({
    env: docker.env,
    dockerSocketPath: join(dir, 'no-docker.sock'),
    ...extra,
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chainloop-basic-auth-test-'));
    const htpasswdPath = join(dir, 'htpasswd');
    writeFileSync(htpasswdPath, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]));
    registry = await startRegistry({ mode: 'htpasswd', htpasswdPath });
    expected = await pushTestImage(dir, registry.host);
  });
  after(async () => {
    await registry?.stop();
    for (const c of configs) c.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('with auths[host].auth in DOCKER_CONFIG: the digest skopeo reports, and the signature', async () => {
    const docker = config({ auths: { [registry.host]: { auth: basicAuthField(USER, PASSWORD) } } });
    const image = await resolveContainerImage(`${registry.host}/app:v1`, opts(docker));
    assert.equal(image.digest, expected.image);
    assert.deepEqual(image.signature, { provider: 'cosign', digest: expected.signature });
    assert.equal(image.credentialSource, `auths["${registry.host}"] in ${docker.configPath}`);
  });

  it('with a credential helper (credHelpers): the helper is asked for the host and its answer works', async () => {
    const docker = config(
      { credHelpers: { [registry.host]: 'chainloop-test' } },
      { [registry.host]: { Username: USER, Secret: PASSWORD } },
    );
    const image = await resolveContainerImage(`${registry.host}/app:v1`, opts(docker));
    assert.equal(image.digest, expected.image);
    assert.deepEqual(docker.helperCalls(), [registry.host]);
    assert.match(image.credentialSource ?? '', /^credential helper docker-credential-chainloop-test/);
  });

  it('with explicit --registry-server/--registry-username/--registry-password, ignoring the keychain', async () => {
    const docker = config({ auths: { [registry.host]: { auth: basicAuthField(USER, WRONG_PASSWORD) } } });
    const image = await resolveContainerImage(
      `${registry.host}/app:v1`,
      opts(docker, { registryServer: registry.host, registryUsername: USER, registryPassword: PASSWORD }),
    );
    assert.equal(image.digest, expected.image);
    const viaEnv = await resolveContainerImage(`${registry.host}/app:v1`, {
      ...opts(docker),
      env: {
        ...docker.env,
        CHAINLOOP_REGISTRY_SERVER: registry.host,
        CHAINLOOP_REGISTRY_USERNAME: USER,
        CHAINLOOP_REGISTRY_PASSWORD: PASSWORD,
      },
    });
    assert.equal(viaEnv.digest, expected.image);
  });

  it('a wrong password (401) names the credential source and the user, never the password', async () => {
    const docker = config({ auths: { [registry.host]: { auth: basicAuthField(USER, WRONG_PASSWORD) } } });
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v1`, opts(docker)),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_AUTH_FAILED');
        assert.equal(
          error.message,
          `registry ${registry.host} refused the credentials of user "${USER}" from auths["${registry.host}"] in ${docker.configPath} (HTTP 401 from registry ${registry.host}): correct them there, or pass --registry-server/--registry-username/--registry-password`,
        );
        assertNoSecret(error);
        return true;
      },
    );
    const helper = config(
      { credsStore: 'chainloop-test' },
      { [registry.host]: { Username: USER, Secret: WRONG_PASSWORD } },
    );
    await assert.rejects(resolveContainerImage(`${registry.host}/app:v1`, opts(helper)), (error: Error) => {
      assert.match(
        error.message,
        /from credential store docker-credential-chainloop-test \(credsStore in .*config.json\)/,
      );
      assertNoSecret(error);
      return true;
    });
    await assert.rejects(
      resolveContainerImage(
        `${registry.host}/app:v1`,
        opts(docker, { registryServer: registry.host, registryUsername: USER, registryPassword: WRONG_PASSWORD }),
      ),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(`from --registry-username/--registry-password for ${registry.host.replace(/\./g, '\\.')}`),
        );
        assertNoSecret(error);
        return true;
      },
    );
  });

  it('no credentials: says authentication is required and how to give it', async () => {
    const docker = config(undefined);
    await assert.rejects(resolveContainerImage(`${registry.host}/app:v1`, opts(docker)), {
      code: 'REGISTRY_AUTH_REQUIRED',
      message: `registry ${registry.host} requires authentication (HTTP 401 from registry ${registry.host}) and none was found: anonymous (no ${docker.configPath}); run docker login ${registry.host} or pass --registry-server/--registry-username/--registry-password`,
    });
  });
});

describe('Bearer token auth (registry auth.token + token server)', () => {
  let registry: RunningRegistry;
  let tokens: RunningTokenServer;
  let dir: string;
  let expected: { image: string; signature: string };
  const configs: TempDockerConfig[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chainloop-token-auth-test-'));
    tokens = await startTokenServer(dir, { [USER]: PASSWORD }, { [IDENTITY_TOKEN]: USER });
    registry = await startRegistry({ mode: 'token', realm: tokens.realm, rootCertBundle: tokens.rootCertBundle });
    expected = await pushTestImage(dir, registry.host);
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
    for (const c of configs) c.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gets a pull token with the keychain credential, resolves the skopeo digest, and reuses the token', async () => {
    clearTokenCache();
    const docker = makeDockerConfig({ auths: { [registry.host]: { auth: basicAuthField(USER, PASSWORD) } } });
    configs.push(docker);
    // skopeo asked for tokens too while pushing and inspecting: count only what comes after this point.
    const before = tokens.requests.length;
    const pullRequests = () => tokens.requests.slice(before).filter((r) => r.scopes.join() === 'repository:app:pull');
    const image = await resolveContainerImage(`${registry.host}/app:v1`, {
      env: docker.env,
      dockerSocketPath: '/nonexistent',
    });
    assert.equal(image.digest, expected.image);
    assert.deepEqual(image.signature, { provider: 'cosign', digest: expected.signature });
    assert.equal(tokens.requests.length - before, 1, 'one token for the HEAD of the image and of its signature tag');
    assert.deepEqual(pullRequests(), [
      { user: USER, scopes: ['repository:app:pull'], service: 'chainloop-test-registry', granted: true },
    ]);
    const again = await resolveContainerImage(`${registry.host}/app:v1`, {
      env: docker.env,
      dockerSocketPath: '/nonexistent',
    });
    assert.equal(again.digest, expected.image);
    assert.equal(pullRequests().length, 1, 'the cached token was used for its lifetime');
  });

  it('the registry really checks tokens: one from a CA outside rootcertbundle is refused', async () => {
    const stranger = await startTokenServer(mkdtempSync(join(dir, 'stranger-')), { [USER]: PASSWORD });
    try {
      const tokenFor = async (realm: string) => {
        const answer = await fetch(`${realm}?service=chainloop-test-registry&scope=repository:app:pull`, {
          headers: { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
        });
        return ((await answer.json()) as { token: string }).token;
      };
      const head = async (token: string) =>
        (
          await fetch(`${registry.url}/v2/app/manifests/v1`, {
            method: 'HEAD',
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.oci.image.manifest.v1+json' },
          })
        ).status;
      assert.equal(await head(await tokenFor(tokens.realm)), 200);
      assert.equal(await head(await tokenFor(stranger.realm)), 401);
    } finally {
      await stranger.stop();
    }
  });

  it('an identity token (auths[host].identitytoken) is exchanged with the OAuth2 refresh-token POST', async () => {
    clearTokenCache();
    const docker = makeDockerConfig({ auths: { [registry.host]: { identitytoken: IDENTITY_TOKEN } } });
    configs.push(docker);
    const before = tokens.requests.length;
    const image = await resolveContainerImage(`${registry.host}/app:v1`, {
      env: docker.env,
      dockerSocketPath: '/nonexistent',
    });
    assert.equal(image.digest, expected.image);
    assert.deepEqual(tokens.requests.slice(before), [
      { user: USER, scopes: ['repository:app:pull'], service: 'chainloop-test-registry', granted: true },
    ]);

    clearTokenCache();
    const stale = makeDockerConfig({ auths: { [registry.host]: { identitytoken: 'revoked-token-never-shown' } } });
    configs.push(stale);
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v1`, { env: stale.env, dockerSocketPath: '/nonexistent' }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_AUTH_FAILED');
        assert.match(
          error.message,
          new RegExp(`^registry ${registry.host} refused the identity token from auths\\["${registry.host}"\\] in `),
        );
        assert.ok(!error.message.includes('revoked-token-never-shown'));
        return true;
      },
    );
  });

  it('a wrong password is refused by the token server; the message names the source, not the password', async () => {
    clearTokenCache();
    const docker = makeDockerConfig(
      { credHelpers: { [registry.host]: 'chainloop-test' } },
      { [registry.host]: { Username: USER, Secret: WRONG_PASSWORD } },
    );
    configs.push(docker);
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v1`, { env: docker.env, dockerSocketPath: '/nonexistent' }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_AUTH_FAILED');
        assert.match(
          error.message,
          new RegExp(
            `^registry ${registry.host} refused the credentials of user "${USER}" from credential helper docker-credential-chainloop-test \\(credHelpers\\["${registry.host}"\\] in .*config.json\\) \\(HTTP 401 from token server http://127\\.0\\.0\\.1:\\d+\\)`,
          ),
        );
        assertNoSecret(error);
        return true;
      },
    );
  });

  it('anonymous: the token server refuses and the message says how to log in', async () => {
    clearTokenCache();
    const docker = makeDockerConfig(undefined);
    configs.push(docker);
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v1`, { env: docker.env, dockerSocketPath: '/nonexistent' }),
      {
        code: 'REGISTRY_AUTH_REQUIRED',
      },
    );
  });

  it('a tag the registry does not have is a 404 even with a valid token', async () => {
    const docker = makeDockerConfig({ auths: { [registry.host]: { auth: basicAuthField(USER, PASSWORD) } } });
    configs.push(docker);
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v404`, { env: docker.env, dockerSocketPath: '/nonexistent' }),
      {
        code: 'IMAGE_NOT_FOUND',
        message: `image ${registry.host}/app:v404 not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/app lists the tags)`,
      },
    );
  });
});
