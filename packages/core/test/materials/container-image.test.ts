import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';

const image = materialKind('CONTAINER_IMAGE');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const inspect = (value: string) => image.inspect({ name: 'skynet-control-plane', value, cwd: '/' });

describe('CONTAINER_IMAGE (by digest)', () => {
  it('records the fully qualified repository, the tag and the digest', async () => {
    assert.deepEqual(await inspect(`ghcr.io/cyberdyne/skynet@${DIGEST}`), {
      shape: 'image',
      name: 'ghcr.io/cyberdyne/skynet',
      digest: DIGEST,
      tag: undefined,
      annotations: {},
    });
    assert.deepEqual(await inspect(`nginx:1.25@${DIGEST}`), {
      shape: 'image',
      name: 'index.docker.io/library/nginx',
      digest: DIGEST,
      tag: '1.25',
      annotations: {},
    });
    assert.equal((await inspect(`127.0.0.1:5000/app:v1@${DIGEST}`)).shape, 'image');
  });

  it('refuses a reference without a digest, saying how to give one', async () => {
    await assert.rejects(inspect('ghcr.io/cyberdyne/skynet:v1'), {
      code: 'MATERIAL_INVALID',
      message:
        'material "skynet-control-plane": image reference "ghcr.io/cyberdyne/skynet:v1" is not a valid CONTAINER_IMAGE: it has no digest; give the image by digest, e.g. ghcr.io/org/app@sha256:<64 hex>',
    });
  });

  it('refuses malformed references with the reason', async () => {
    await assert.rejects(inspect('ghcr.io/cyberdyne/skynet@sha256:1234'), {
      code: 'MATERIAL_INVALID',
      message: /must be sha256: followed by 64/,
    });
    await assert.rejects(inspect('Skynet Control Plane'), {
      code: 'MATERIAL_INVALID',
      message: /it contains white space/,
    });
  });
});
