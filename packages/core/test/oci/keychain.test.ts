import '../hang-guard';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { dockerConfigPath, findRegistryCredential } from '../../src/oci/keychain';
import { basicAuthField, makeDockerConfig, type TempDockerConfig } from './fixtures/docker-config';

describe('docker keychain order', () => {
  let temp: TempDockerConfig | undefined;
  afterEach(() => {
    temp?.cleanup();
    temp = undefined;
  });

  it('reads auths[host].auth from $DOCKER_CONFIG/config.json', async () => {
    temp = makeDockerConfig({ auths: { '127.0.0.1:5000': { auth: basicAuthField('alice', 'pa:ss') } } });
    const found = await findRegistryCredential('127.0.0.1:5000', { env: temp.env });
    assert.deepEqual(found.credential, { username: 'alice', password: 'pa:ss' });
    assert.equal(found.source, `auths["127.0.0.1:5000"] in ${temp.configPath}`);
  });

  it('matches auths keys written as URLs, the way docker login writes them', async () => {
    temp = makeDockerConfig({
      auths: { 'https://registry.example.com/v2/': { auth: basicAuthField('bob', 'secret') } },
    });
    const found = await findRegistryCredential('registry.example.com', { env: temp.env });
    assert.equal(found.credential?.username, 'bob');
  });

  it('treats docker.io, index.docker.io and https://index.docker.io/v1/ as one registry', async () => {
    for (const key of ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io']) {
      temp = makeDockerConfig({ auths: { [key]: { auth: basicAuthField('hubuser', 'hubpass') } } });
      for (const registry of ['index.docker.io', 'docker.io']) {
        const found = await findRegistryCredential(registry, { env: temp.env });
        assert.equal(found.credential?.username, 'hubuser', `${key} for ${registry}`);
      }
      temp.cleanup();
    }
    temp = undefined;
  });

  it('asks credHelpers[host] first, sending the host on stdin', async () => {
    temp = makeDockerConfig(
      {
        credHelpers: { 'registry.example.com': 'chainloop-test' },
        auths: { 'registry.example.com': { auth: basicAuthField('from-auths', 'x') } },
      },
      { 'registry.example.com': { Username: 'from-helper', Secret: 'helper-secret' } },
    );
    const found = await findRegistryCredential('registry.example.com', { env: temp.env });
    assert.deepEqual(found.credential, { username: 'from-helper', password: 'helper-secret' });
    assert.match(
      found.source,
      /^credential helper docker-credential-chainloop-test \(credHelpers\["registry.example.com"\] in .*config.json\)$/,
    );
    assert.deepEqual(temp.helperCalls(), ['registry.example.com']);
  });

  it('asks the helper for Docker Hub as https://index.docker.io/v1/, as docker does', async () => {
    temp = makeDockerConfig(
      { credsStore: 'chainloop-test' },
      { 'https://index.docker.io/v1/': { Username: 'hub', Secret: 's' } },
    );
    const found = await findRegistryCredential('docker.io', { env: temp.env });
    assert.equal(found.credential?.username, 'hub');
    assert.deepEqual(temp.helperCalls(), ['https://index.docker.io/v1/']);
  });

  it('falls through credHelpers and credsStore that have nothing, to auths', async () => {
    temp = makeDockerConfig({
      credHelpers: { 'registry.example.com': 'chainloop-test' },
      credsStore: 'chainloop-test',
      auths: { 'registry.example.com': { auth: basicAuthField('from-auths', 'pw') } },
    });
    const found = await findRegistryCredential('registry.example.com', { env: temp.env });
    assert.equal(found.credential?.username, 'from-auths');
    assert.deepEqual(temp.helperCalls(), ['registry.example.com', 'registry.example.com']);
  });

  it('reads identity tokens: auths[host].identitytoken, and a helper answering Username <token>', async () => {
    temp = makeDockerConfig(
      {
        auths: { 'acr.example.io': { identitytoken: 'refresh-1' } },
        credHelpers: { 'other.example.io': 'chainloop-test' },
      },
      {
        'other.example.io': { Username: '<token>', Secret: 'refresh-2' },
      },
    );
    assert.deepEqual((await findRegistryCredential('acr.example.io', { env: temp.env })).credential, {
      username: '<token>',
      password: '',
      identityToken: 'refresh-1',
    });
    assert.deepEqual((await findRegistryCredential('other.example.io', { env: temp.env })).credential, {
      username: '<token>',
      password: '',
      identityToken: 'refresh-2',
    });
  });

  it('uses credsStore when there is no credHelpers entry for the host', async () => {
    temp = makeDockerConfig(
      { credsStore: 'chainloop-test' },
      { 'other.example.com': { Username: 'store-user', Secret: 'store-secret' } },
    );
    const found = await findRegistryCredential('other.example.com', { env: temp.env });
    assert.equal(found.credential?.username, 'store-user');
    assert.match(found.source, /^credential store docker-credential-chainloop-test \(credsStore in /);
  });

  it('is anonymous without a config file or without an entry, and says why', async () => {
    temp = makeDockerConfig(undefined);
    const none = await findRegistryCredential('ghcr.io', { env: temp.env });
    assert.equal(none.credential, undefined);
    assert.equal(none.source, `anonymous (no ${temp.configPath})`);
    temp.cleanup();
    temp = makeDockerConfig({ auths: { 'quay.io': { auth: basicAuthField('q', 'q') } } });
    const other = await findRegistryCredential('ghcr.io', { env: temp.env });
    assert.equal(other.credential, undefined);
    assert.match(other.source, /^anonymous \(no entry for ghcr.io in /);
  });

  it('defaults to ~/.docker/config.json when DOCKER_CONFIG is unset', () => {
    assert.equal(dockerConfigPath({ HOME: '/home/someone' }), '/home/someone/.docker/config.json');
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/etc/dc', HOME: '/home/someone' }), '/etc/dc/config.json');
  });

  it('lets explicit --registry-* credentials replace the keychain: their host only, the rest anonymous', async () => {
    temp = makeDockerConfig({
      auths: {
        'ghcr.io': { auth: basicAuthField('keychain', 'k') },
        'index.docker.io': { auth: basicAuthField('k', 'k') },
      },
    });
    const explicit = {
      registryServer: 'docker.io',
      registryUsername: 'flag-user',
      registryPassword: 'flag-pass',
      env: temp.env,
    };
    const hub = await findRegistryCredential('index.docker.io', explicit);
    assert.deepEqual(hub.credential, { username: 'flag-user', password: 'flag-pass' });
    assert.equal(hub.source, '--registry-username/--registry-password for index.docker.io');
    const ghcr = await findRegistryCredential('ghcr.io', explicit);
    assert.equal(ghcr.credential, undefined);
    assert.equal(ghcr.source, 'anonymous (--registry-server is index.docker.io, not ghcr.io)');
  });

  it('refuses a scheme in --registry-server and incomplete explicit credentials', async () => {
    await assert.rejects(
      findRegistryCredential('ghcr.io', {
        registryServer: 'https://ghcr.io',
        registryUsername: 'u',
        registryPassword: 'p',
      }),
      {
        code: 'REGISTRY_SERVER_INVALID',
        message: '--registry-server "https://ghcr.io" must be a host name without a scheme, e.g. ghcr.io',
      },
    );
    await assert.rejects(
      findRegistryCredential('ghcr.io', {
        registryServer: 'ghcr.io/org',
        registryUsername: 'u',
        registryPassword: 'p',
      }),
      {
        code: 'REGISTRY_SERVER_INVALID',
        message: '--registry-server "ghcr.io/org" must be a registry host[:port] without a path, e.g. ghcr.io',
      },
    );
    await assert.rejects(
      findRegistryCredential('ghcr.io', { registryServer: 'ghcr.io', registryUsername: 'u' }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_CREDENTIALS_INCOMPLETE');
        assert.match(error.message, /--registry-password missing/);
        return true;
      },
    );
  });

  it('names a credential helper that is not installed, and the config to fix', async () => {
    temp = makeDockerConfig({ credsStore: 'not-installed-anywhere' });
    await assert.rejects(findRegistryCredential('ghcr.io', { env: temp.env }), {
      code: 'CREDENTIAL_HELPER_FAILED',
      message: `docker credential helper docker-credential-not-installed-anywhere not found on PATH: install it, or remove "not-installed-anywhere" from ${temp.configPath}`,
    });
  });

  it('names a config.json that is not JSON', async () => {
    temp = makeDockerConfig(undefined);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(temp.configPath, '{ "auths": ');
    await assert.rejects(findRegistryCredential('ghcr.io', { env: temp.env }), (error: Error & { code: string }) => {
      assert.equal(error.code, 'DOCKER_CONFIG_INVALID');
      assert.ok(error.message.startsWith(`docker config ${temp?.configPath} is not valid JSON`));
      return true;
    });
  });
});
