import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';

const image = materialKind('CONTAINER_IMAGE');
const inspect = (value: string) => image.inspect({ name: 'skynet-control-plane', value, cwd: '/' });

// Resolution against real registries, layouts and the local engine: test/oci/container-image-material.test.ts.
describe('CONTAINER_IMAGE', () => {
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
