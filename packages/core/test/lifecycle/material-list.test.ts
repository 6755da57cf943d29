import '../hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMaterialList } from '../../src/lifecycle/material-list';

test('one name=value per line, with optional KIND: prefix, comments and YAML-style dashes', () => {
  const list = parseMaterialList(`
# built by the job
rootfs=rootfs.tar.gz
- build-ref=80e461e9
SBOM_CYCLONEDX_JSON:skynet-sbom=sbom.cyclonedx.json
`);
  assert.deepEqual(list, [
    { name: 'rootfs', value: 'rootfs.tar.gz' },
    { name: 'build-ref', value: '80e461e9' },
    { kind: 'SBOM_CYCLONEDX_JSON', name: 'skynet-sbom', value: 'sbom.cyclonedx.json' },
  ]);
});

test('a JSON array works too', () => {
  assert.deepEqual(parseMaterialList('[{"name":"a","value":"b","kind":"STRING"}]'), [
    { name: 'a', value: 'b', kind: 'STRING' },
  ]);
});

test('a JSON array of name=value strings, as a GitLab array input renders', () => {
  assert.deepEqual(parseMaterialList('["rootfs=rootfs.tar.gz", "STRING:build-ref=abc"]'), [
    { name: 'rootfs', value: 'rootfs.tar.gz' },
    { kind: 'STRING', name: 'build-ref', value: 'abc' },
  ]);
});

test('malformed lines and entries name the line and the fix', () => {
  assert.throws(() => parseMaterialList('rootfs'), /line 1 "rootfs" is not name=value/);
  assert.throws(() => parseMaterialList('rootfs='), /material "rootfs" has no value/);
  assert.throws(() => parseMaterialList('[{"name":1}]'), /entry 0: needs string "name" and "value"/);
});
