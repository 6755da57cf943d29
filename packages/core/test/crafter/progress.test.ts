import '../hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, uploadDoneLine } from '../../src/crafter/progress';

test('the upload line has the seed shape', () => {
  const line = uploadDoneLine('rootfs.tar.gz', 'sha256:f8a5', 7, 205);
  assert.equal(line, 'rootfs.tar.gz@sha256:f8a5 ... done! [7B in 0s; 34B/s]');
});

test('byte counts use binary units', () => {
  assert.equal(formatBytes(1023), '1023B');
  assert.equal(formatBytes(1536), '1.5KiB');
  assert.equal(formatBytes(1024 ** 3), '1.0GiB');
});
