import '../hang-guard';
// Resolution against a real CNCF registry on loopback, anonymous access: images built with umoci, pushed with
// skopeo, expected digests read back with skopeo.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ResolveImageOptions, resolveContainerImage } from '../../src/oci/resolve';
import { cosignSignatureTag } from '../../src/oci/signatures';
import { startDigestStrippingProxy } from './fixtures/digest-stripping-proxy';
import { makeDockerConfig, type TempDockerConfig } from './fixtures/docker-config';
import { buildImage, buildMultiArchIndex, pushHelmLikeArtifact, pushImage, skopeoDigest } from './fixtures/images';
import { deadPort } from './fixtures/ports';
import { type RunningRegistry, startRegistry } from './fixtures/registry';

describe('resolveContainerImage against a real registry (anonymous)', () => {
  let registry: RunningRegistry;
  let dir: string;
  let docker: TempDockerConfig;
  let options: ResolveImageOptions;
  const expected: Record<string, string> = {};

  before(async () => {
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'chainloop-registry-test-'));
    const layout = join(dir, 'layout');
    await buildImage(layout, 'v1', 'single-arch image');
    await buildImage(layout, 'sig', 'stands in for a cosign signature manifest');
    await buildMultiArchIndex(layout, 'multi', 'multi-arch image');
    await pushImage(layout, 'v1', `${registry.host}/app:v1`);
    await pushImage(layout, 'v1', `${registry.host}/team/app/api:v1`);
    await pushImage(layout, 'multi', `${registry.host}/app:multi`);
    expected.v1 = await skopeoDigest(`${registry.host}/app:v1`);
    expected.multi = await skopeoDigest(`${registry.host}/app:multi`);
    // cosign's convention: the signature of the v1 manifest is the tag sha256-<hex>.sig in the same repository.
    await pushImage(layout, 'sig', `${registry.host}/app:${cosignSignatureTag(expected.v1)}`);
    expected.sig = await skopeoDigest(`${registry.host}/app:${cosignSignatureTag(expected.v1)}`);
    expected.chart = await pushHelmLikeArtifact(registry.url, 'charts/demo', '1.0.0');
    docker = makeDockerConfig(undefined);
    options = { env: docker.env, dockerSocketPath: join(dir, 'no-docker.sock') };
  });

  after(async () => {
    await registry?.stop();
    docker?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a tag resolves to the manifest digest skopeo reports, with the cosign signature found', async () => {
    const image = await resolveContainerImage(`${registry.host}/app:v1`, options);
    assert.deepEqual(image, {
      name: `${registry.host}/app`,
      digest: expected.v1,
      tag: 'v1',
      signature: { provider: 'cosign', digest: expected.sig },
      source: 'registry',
      credentialSource: `anonymous (no ${docker.configPath})`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      hasLatestTag: false,
    });
  });

  it('marks hasLatestTag when <repo>:latest names the same digest, or the reference is :latest', async () => {
    const layout = join(dir, 'layout');
    await pushImage(layout, 'v1', `${registry.host}/tagged:v1`);
    await pushImage(layout, 'v1', `${registry.host}/tagged:latest`);
    await pushImage(layout, 'sig', `${registry.host}/tagged:other`);
    assert.equal((await resolveContainerImage(`${registry.host}/tagged:v1`, options)).hasLatestTag, true);
    assert.equal((await resolveContainerImage(`${registry.host}/tagged`, options)).hasLatestTag, true);
    assert.equal((await resolveContainerImage(`${registry.host}/tagged:other`, options)).hasLatestTag, false);
  });

  it('a multi-arch tag resolves to the index digest skopeo reports (no platform resolution), unsigned', async () => {
    const image = await resolveContainerImage(`${registry.host}/app:multi`, options);
    assert.equal(image.digest, expected.multi);
    assert.equal(image.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(image.signature, undefined);
    assert.notEqual(expected.multi, expected.v1);
  });

  it('a digest reference resolves to itself with no tag; tag+digest keeps the tag', async () => {
    const byDigest = await resolveContainerImage(`${registry.host}/app@${expected.multi}`, options);
    assert.deepEqual([byDigest.digest, byDigest.tag], [expected.multi, undefined]);
    const both = await resolveContainerImage(`${registry.host}/app:v1@${expected.v1}`, options);
    assert.deepEqual([both.digest, both.tag], [expected.v1, 'v1']);
  });

  it('a nested repository path keeps its full name', async () => {
    const image = await resolveContainerImage(`${registry.host}/team/app/api:v1`, options);
    assert.deepEqual([image.name, image.digest], [`${registry.host}/team/app/api`, expected.v1]);
  });

  it('falls back to GET and hashes the body when the registry omits Docker-Content-Digest', async () => {
    const proxy = await startDigestStrippingProxy(registry.host);
    try {
      const single = await resolveContainerImage(`${proxy.host}/app:v1`, options);
      const multi = await resolveContainerImage(`${proxy.host}/app:multi`, options);
      assert.equal(single.digest, expected.v1);
      assert.equal(multi.digest, expected.multi);
      assert.ok(proxy.methods.includes('HEAD /v2/app/manifests/multi'), proxy.methods.join(', '));
      assert.ok(proxy.methods.includes('GET /v2/app/manifests/multi'), proxy.methods.join(', '));
    } finally {
      await proxy.stop();
    }
  });

  it('refuses a non-image OCI artifact at the reference, naming its type', async () => {
    await assert.rejects(resolveContainerImage(`${registry.host}/charts/demo:1.0.0`, options), {
      code: 'IMAGE_NOT_AN_IMAGE',
      message: `${registry.host}/charts/demo:1.0.0 in registry ${registry.host} is not a container image but an OCI artifact of type application/vnd.cncf.helm.config.v1+json: point at an image, or use the material kind for that artifact (e.g. HELM_CHART, ARTIFACT)`,
    });
  });

  it('an unknown tag (404) says the image is not found in that registry', async () => {
    await assert.rejects(resolveContainerImage(`${registry.host}/app:no-such-tag`, options), {
      code: 'IMAGE_NOT_FOUND',
      message: `image ${registry.host}/app:no-such-tag not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/app lists the tags)`,
    });
    await assert.rejects(resolveContainerImage(`${registry.host}/no/such/repo:v1`, options), {
      code: 'IMAGE_NOT_FOUND',
    });
  });

  it('a registry that is down is named, with the fix', async () => {
    const port = await deadPort();
    await assert.rejects(resolveContainerImage(`127.0.0.1:${port}/app:v1`, options), {
      code: 'REGISTRY_UNREACHABLE',
      message: `registry 127.0.0.1:${port} is unreachable at http://127.0.0.1:${port} (ECONNREFUSED): check the registry address and that it is running`,
    });
  });

  it('a malformed reference is refused before any request', async () => {
    await assert.rejects(resolveContainerImage(`${registry.host}/App:v1`, options), {
      code: 'IMAGE_REFERENCE_INVALID',
      message: `invalid image reference "${registry.host}/App:v1": repository "App" must be lower case (expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. ghcr.io/org/app:v1)`,
    });
  });
});

describe('plain HTTP for a non-loopback name only when listed as insecure', () => {
  let registry: RunningRegistry;
  let dir: string;
  let docker: TempDockerConfig;
  let digest: string;

  before(async () => {
    // 127.0.0.2 is loopback on Linux but not one of the names that get plain HTTP automatically.
    registry = await startRegistry({ mode: 'anonymous' }, '127.0.0.2');
    dir = mkdtempSync(join(tmpdir(), 'chainloop-insecure-test-'));
    await buildImage(join(dir, 'layout'), 'v1', 'insecure registry image');
    await pushImage(join(dir, 'layout'), 'v1', `${registry.host}/app:v1`);
    digest = await skopeoDigest(`${registry.host}/app:v1`);
    docker = makeDockerConfig(undefined);
  });
  after(async () => {
    await registry?.stop();
    docker?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('unlisted: HTTPS fails and the error names --insecure-registry', async () => {
    await assert.rejects(
      resolveContainerImage(`${registry.host}/app:v1`, { env: docker.env, dockerSocketPath: '/nonexistent' }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'REGISTRY_UNREACHABLE');
        assert.match(
          error.message,
          new RegExp(
            `^registry ${registry.host} did not complete an HTTPS handshake \\(.+\\): if it serves plain HTTP, name it with --insecure-registry ${registry.host}`,
          ),
        );
        return true;
      },
    );
  });

  it('listed with --insecure-registry or CHAINLOOP_INSECURE_REGISTRIES: resolves over HTTP', async () => {
    const viaOption = await resolveContainerImage(`${registry.host}/app:v1`, {
      env: docker.env,
      insecureRegistries: [registry.host],
    });
    assert.equal(viaOption.digest, digest);
    const viaEnv = await resolveContainerImage(`${registry.host}/app:v1`, {
      env: { ...docker.env, CHAINLOOP_INSECURE_REGISTRIES: '127.0.0.2' },
    });
    assert.equal(viaEnv.digest, digest);
  });
});
