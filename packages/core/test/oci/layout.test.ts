import '../hang-guard';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOciLayoutImage } from '../../src/oci/layout';
import { resolveContainerImage } from '../../src/oci/resolve';
import { buildImage, skopeoCopy, skopeoInspectDigest } from './fixtures/images';

// The OCI layouts of Chainloop's oci_image_test.go (fixtures/vectors/materials/oci-layouts, origin in its README).
const VECTORS = join(import.meta.dirname, '../../../../fixtures/vectors/materials/oci-layouts');
const REPO_ROOT = join(import.meta.dirname, '../../../..');

describe('OCI image-layout folders: the vectors with the names and digests Chainloop records', () => {
  const single: [string, string, string][] = [
    ['crane', 'oci-layout:unknown', 'sha256:fa6d9058c3d65a33ff565c0e35172f2d99e76fbf8358d91ffaa2208eff2be400'],
    ['skopeo', 'oci-layout:v1.51.0', 'sha256:fa6d9058c3d65a33ff565c0e35172f2d99e76fbf8358d91ffaa2208eff2be400'],
  ];
  for (const [layout, name, digest] of single) {
    it(`${layout}: one image → ${name}`, async () => {
      const image = await resolveContainerImage(join(VECTORS, layout));
      assert.deepEqual(
        { name: image.name, digest: image.digest, tag: image.tag, source: image.source },
        { name, digest, tag: undefined, source: 'oci-layout' },
      );
    });
  }

  const selected: [string, string, string][] = [
    ['oras', 'sha256:b1747c197a0ab3cb89e109f60a3c5d4ede6946e447fd468fa82d85fa94c6c6e5', 'oci-layout:unknown'],
    ['oras', 'sha256:f333056ac987169b2a121c16d06112d88ec3d7cb50b098bb17b0f14b0c52f6f3', 'oci-layout:unknown'],
    [
      'zarf',
      'sha256:e8ac056f7b9b44b07935fe23b8383e5e550d479dc5c6261941e76449a8f7e926',
      'oci-layout:ghcr.io/chainloop-dev/chainloop/artifact-cas:v1.51.0',
    ],
    [
      'zarf',
      'sha256:8cb1d2d12cb680d67998ae917462779ba35ff6969ddc09fc6cdf825889bcd357',
      'oci-layout:ghcr.io/chainloop-dev/chainloop/control-plane-migrations:v1.51.0',
    ],
  ];
  for (const [layout, digest, name] of selected) {
    it(`${layout}@${digest.slice(0, 15)}… → ${name}`, async () => {
      const image = await resolveContainerImage(`${join(VECTORS, layout)}@${digest}`);
      assert.equal(image.name, name);
      assert.equal(image.digest, digest);
    });
  }

  it('containerd: the tag comes from io.containerd.image.name, only when that name has a tag', async () => {
    const tagged = await readOciLayoutImage(join(VECTORS, 'containerd'), `sha256:${'a'.repeat(64)}`);
    assert.deepEqual({ name: tagged.name, tag: tagged.tag }, { name: 'oci-layout:v2.0.0', tag: 'v2.0.0' });
    const byDigest = await readOciLayoutImage(join(VECTORS, 'containerd'), `sha256:${'b'.repeat(64)}`);
    assert.deepEqual({ name: byDigest.name, tag: byDigest.tag }, { name: 'oci-layout:unknown', tag: undefined });
    const untagged = await readOciLayoutImage(join(VECTORS, 'containerd'), `sha256:${'c'.repeat(64)}`);
    assert.equal(untagged.tag, undefined);
  });

  for (const [layout, count] of [
    ['oras', 3],
    ['zarf', 3],
    ['containerd', 3],
  ] as const) {
    it(`${layout} without a selector: an error listing the ${count} images`, async () => {
      const index = JSON.parse(readFileSync(join(VECTORS, layout, 'index.json'), 'utf8')) as {
        manifests: { digest: string }[];
      };
      await assert.rejects(resolveContainerImage(join(VECTORS, layout)), (error: Error & { code: string }) => {
        assert.equal(error.code, 'OCI_LAYOUT_AMBIGUOUS');
        assert.match(
          error.message,
          new RegExp(`contains ${count} images, please specify which one to use with @digest\\. Available digests: `),
        );
        assert.equal(index.manifests.length, count, 'the vector holds as many images as the error says');
        for (const m of index.manifests) assert.ok(error.message.includes(m.digest), m.digest);
        return true;
      });
    });
  }

  it('a selector naming no image in the layout is refused with the available digests', async () => {
    await assert.rejects(
      resolveContainerImage(`${join(VECTORS, 'oras')}@sha256:nonexistent`),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'OCI_LAYOUT_DIGEST_NOT_FOUND');
        assert.match(
          error.message,
          /^digest sha256:nonexistent not found in OCI layout .*oras: available digests: sha256:b1747c/,
        );
        return true;
      },
    );
  });

  it('resolves a relative folder against cwd', async () => {
    const image = await resolveContainerImage('./fixtures/vectors/materials/oci-layouts/skopeo', { cwd: REPO_ROOT });
    assert.equal(image.name, 'oci-layout:v1.51.0');
  });

  it('refuses a path that is not an OCI layout, or does not exist, naming the folder', async () => {
    await assert.rejects(resolveContainerImage('./fixtures', { cwd: REPO_ROOT }), {
      code: 'OCI_LAYOUT_NOT_FOUND',
      message: `container image ./fixtures: folder ${join(REPO_ROOT, 'fixtures')} is not an OCI image layout (it has no oci-layout file); give an image reference or an OCI layout folder`,
    });
    await assert.rejects(
      resolveContainerImage('./build/oci', { cwd: REPO_ROOT }),
      /folder .*build\/oci does not exist/,
    );
  });
});

describe('OCI layouts written by the real tools', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'chainloop-layout-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a layout made by `skopeo copy … oci:dir:tag` resolves to the digest skopeo reports', async () => {
    await buildImage(join(dir, 'umoci'), 'v1', 'layout test');
    await skopeoCopy(`oci:${join(dir, 'umoci')}:v1`, `oci:${join(dir, 'copied')}:release-1`);
    const expected = await skopeoInspectDigest(`oci:${join(dir, 'copied')}:release-1`);
    const image = await resolveContainerImage(join(dir, 'copied'));
    assert.deepEqual(
      { name: image.name, digest: image.digest, source: image.source },
      { name: 'oci-layout:release-1', digest: expected, source: 'oci-layout' },
    );
  });

  it('a layout whose index.json is missing or broken is named, with the reason', async () => {
    const layout = join(dir, 'broken');
    mkdirSync(layout);
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await assert.rejects(resolveContainerImage(layout), {
      code: 'OCI_LAYOUT_INVALID',
      message: `OCI layout ${layout}: ${join(layout, 'index.json')} is missing; write the layout with skopeo, crane or oras`,
    });
    writeFileSync(join(layout, 'index.json'), '{"manifests": [');
    await assert.rejects(resolveContainerImage(layout), {
      code: 'OCI_LAYOUT_INVALID',
      message: /index\.json is not valid JSON/,
    });
  });

  it('reports a cosign signature stored in the layout for the image (base.digest + artifact type)', async () => {
    const layout = join(dir, 'signed');
    mkdirSync(layout);
    cpSync(join(VECTORS, 'skopeo'), layout, { recursive: true });
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const signatureDigest = `sha256:${'5'.repeat(64)}`;
    index.manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      digest: signatureDigest,
      size: 500,
      annotations: { 'org.opencontainers.image.base.digest': index.manifests[0].digest },
    });
    writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    const image = await resolveContainerImage(layout);
    assert.equal(image.digest, 'sha256:fa6d9058c3d65a33ff565c0e35172f2d99e76fbf8358d91ffaa2208eff2be400');
    assert.deepEqual(image.signature, { provider: 'cosign', digest: signatureDigest });
  });
});
