import '../hang-guard';
// The CONTAINER_IMAGE material kind end to end: the crafter's options reach the resolver, and what it records
// (name, digest, tag, signature annotations) and refuses, against a real registry with htpasswd auth.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectMaterialKind } from '../../src/materials/detect-material-kind';
import type { MaterialInput } from '../../src/materials/kind';
import { materialKind } from '../../src/materials/registry';
import { cosignSignatureTag } from '../../src/oci/signatures';
import { basicAuthField, makeDockerConfig, type TempDockerConfig } from './fixtures/docker-config';
import { buildImage, pushImage, skopeoDigest } from './fixtures/images';
import { deadPort } from './fixtures/ports';
import { type RunningRegistry, startRegistry } from './fixtures/registry';

const USER = 'release-bot';
const PASSWORD = 'Pa55-never-printed';
const VECTORS = join(import.meta.dirname, '../../../../fixtures/vectors/materials/oci-layouts');
const image = materialKind('CONTAINER_IMAGE');

describe('CONTAINER_IMAGE material (registry on 127.0.0.2, htpasswd, insecure list)', () => {
  let registry: RunningRegistry;
  let dir: string;
  let docker: TempDockerConfig;
  let expected: { image: string; signature: string };
  let options: Record<string, unknown>;
  const input = (value: string, extra: Record<string, unknown> = {}): MaterialInput => ({
    name: 'img',
    value,
    cwd: dir,
    options: { ...options, ...extra },
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chainloop-image-material-test-'));
    const htpasswdPath = join(dir, 'htpasswd');
    writeFileSync(htpasswdPath, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]));
    // 127.0.0.2 is not one of the automatically insecure names, so the insecureRegistries option has to reach the resolver.
    registry = await startRegistry({ mode: 'htpasswd', htpasswdPath }, '127.0.0.2');
    const layout = join(dir, 'layout');
    await buildImage(layout, 'v1', 'material test image');
    await buildImage(layout, 'sig', 'stands in for a cosign signature manifest');
    const creds = { username: USER, password: PASSWORD };
    await pushImage(layout, 'v1', `${registry.host}/app:v1`, creds);
    const digest = await skopeoDigest(`${registry.host}/app:v1`, creds);
    await pushImage(layout, 'sig', `${registry.host}/app:${cosignSignatureTag(digest)}`, creds);
    expected = {
      image: digest,
      signature: await skopeoDigest(`${registry.host}/app:${cosignSignatureTag(digest)}`, creds),
    };
    docker = makeDockerConfig({ auths: { [registry.host]: { auth: basicAuthField(USER, PASSWORD) } } });
    options = {
      env: { ...docker.env, DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` },
      insecureRegistries: [registry.host],
    };
  });
  after(async () => {
    await registry?.stop();
    docker?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records the repository, the digest skopeo reports, the tag and the cosign signature annotations', async () => {
    assert.deepEqual(await image.inspect(input(`${registry.host}/app:v1`)), {
      shape: 'image',
      name: `${registry.host}/app`,
      digest: expected.image,
      tag: 'v1',
      hasLatestTag: false,
      annotations: {
        'chainloop.material.image.tag': 'v1',
        'chainloop.material.signature.digest': expected.signature,
        'chainloop.material.signature.provider': 'cosign',
      },
    });
  });

  it('uses registryServer/registryUsername/registryPassword from the options over the keychain', async () => {
    const empty = makeDockerConfig(undefined);
    try {
      const inspected = await image.inspect(
        input(`${registry.host}/app@${expected.image}`, {
          env: empty.env,
          registryServer: registry.host,
          registryUsername: USER,
          registryPassword: PASSWORD,
        }),
      );
      assert.deepEqual([inspected.shape, inspected.shape === 'image' && inspected.digest], ['image', expected.image]);
    } finally {
      empty.cleanup();
    }
  });

  it('an unknown tag: the material, the image and the registry are named', async () => {
    await assert.rejects(image.inspect(input(`${registry.host}/app:v9`)), {
      code: 'MATERIAL_INVALID',
      message: `material "img": image reference "${registry.host}/app:v9" is not a valid CONTAINER_IMAGE: image ${registry.host}/app:v9 not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/app lists the tags)`,
    });
  });

  it('a wrong password: the credential source is named, the password is not', async () => {
    await assert.rejects(
      image.inspect(
        input(`${registry.host}/app:v1`, {
          registryServer: registry.host,
          registryUsername: USER,
          registryPassword: 'not-the-password',
        }),
      ),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_AUTH_FAILED');
        assert.equal(
          error.message,
          `material "img": registry ${registry.host} refused the credentials of user "${USER}" from --registry-username/--registry-password for ${registry.host} (HTTP 401 from registry ${registry.host}): correct them there, or pass --registry-server/--registry-username/--registry-password`,
        );
        assert.ok(!error.message.includes('not-the-password'));
        return true;
      },
    );
  });

  it('without the insecure option the HTTPS failure says to list the registry', async () => {
    await assert.rejects(image.inspect(input(`${registry.host}/app:v1`, { insecureRegistries: [] })), {
      code: 'MATERIAL_INVALID',
      message: new RegExp(
        `did not complete an HTTPS handshake .*--insecure-registry ${registry.host.replace(/\./g, '\\.')}`,
      ),
    });
  });

  it('a malformed reference and a registry that is down are refused with the reason', async () => {
    await assert.rejects(image.inspect(input(`${registry.host}/app:-v1`)), {
      code: 'MATERIAL_INVALID',
      message: `material "img": image reference "${registry.host}/app:-v1" is not a valid CONTAINER_IMAGE: tag "-v1" may only hold letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-') (expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. ghcr.io/org/app:v1)`,
    });
    const port = await deadPort();
    await assert.rejects(image.inspect(input(`127.0.0.1:${port}/app:v1`)), {
      code: 'MATERIAL_INVALID',
      message: `material "img": image reference "127.0.0.1:${port}/app:v1" is not a valid CONTAINER_IMAGE: registry 127.0.0.1:${port} is unreachable at http://127.0.0.1:${port} (ECONNREFUSED): check the registry address and that it is running`,
    });
  });

  it('an OCI layout folder with a selector records the layout name', async () => {
    const digest = 'sha256:e8ac056f7b9b44b07935fe23b8383e5e550d479dc5c6261941e76449a8f7e926';
    const inspected = await image.inspect(input(`${join(VECTORS, 'zarf')}@${digest}`));
    assert.deepEqual(inspected, {
      shape: 'image',
      name: 'oci-layout:ghcr.io/chainloop-dev/chainloop/artifact-cas:v1.51.0',
      digest,
      tag: undefined,
      annotations: {},
    });
  });

  it('auto-detection: a resolvable reference is an image; a wrong password stops detection instead of recording a STRING', async () => {
    const detected = await detectMaterialKind(input(`${registry.host}/app:v1`));
    assert.equal(detected.kind, 'CONTAINER_IMAGE');
    await assert.rejects(
      detectMaterialKind(
        input(`${registry.host}/app:v1`, {
          registryServer: registry.host,
          registryUsername: USER,
          registryPassword: 'nope',
        }),
      ),
      { code: 'REGISTRY_AUTH_FAILED' },
    );
  });
});
