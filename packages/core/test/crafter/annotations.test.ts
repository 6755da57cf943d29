import '../hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeAnnotations, parseAnnotationFlags } from '../../src/crafter/annotations';

test('--annotation splits on the first = and accepts commas', () => {
  assert.deepEqual(parseAnnotationFlags(['a=1', 'b=x=y,c=3']), { a: '1', b: 'x=y', c: '3' });
  assert.throws(() => parseAnnotationFlags(['novalue']), /--annotation "novalue" is not key=value/);
});

test('runtime values fill empty contract annotations but never override set ones', () => {
  const merged = mergeAnnotations(
    [
      { name: 'owner', value: 'secops' },
      { name: 'ticket', value: '' },
    ],
    {},
    { owner: 'someone-else', ticket: 'SEC-1', extra: 'yes' },
    'material "rootfs"',
  );
  assert.deepEqual(merged, { owner: 'secops', ticket: 'SEC-1', extra: 'yes' });
});

test('an empty contract annotation left unset names the flag to pass', () => {
  assert.throws(
    () => mergeAnnotations([{ name: 'ticket', value: '' }], {}, {}, 'material "rootfs"'),
    /annotations \["ticket"\] required for material "rootfs": pass --annotation ticket=VALUE/,
  );
});
