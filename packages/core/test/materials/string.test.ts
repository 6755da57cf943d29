import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';

describe('STRING', () => {
  it('keeps the value exactly, and refuses an empty one', async () => {
    const string = materialKind('STRING');
    assert.deepEqual(await string.inspect({ name: 'build-ref', value: ' main@1f2a ', cwd: '/' }), {
      shape: 'string',
      value: ' main@1f2a ',
      annotations: {},
    });
    await assert.rejects(string.inspect({ name: 'build-ref', value: '', cwd: '/' }), {
      code: 'MATERIAL_INVALID',
      message: 'material "build-ref": the value is not a valid STRING: it is empty; give a non-empty --value',
    });
  });
});
