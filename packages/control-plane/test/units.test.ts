import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseListen, parseSize } from '../src/units';

test('sizes take binary units', () => {
  assert.equal(parseSize('--max-blob-size', '10GiB'), 10 * 1024 ** 3);
  assert.equal(parseSize('--max-blob-size', '512 MiB'), 512 * 1024 ** 2);
  assert.equal(parseSize('--max-blob-size', '1048576'), 1024 ** 2);
  assert.throws(() => parseSize('--max-blob-size', '10GB'), {
    code: 'INVALID_SIZE',
    message: '--max-blob-size "10GB" is not a size: use bytes or a unit like 512MiB or 10GiB',
  });
});

test('durations take ms, s, m, h, d', () => {
  assert.equal(parseDuration('--run-expiry', '24h'), 86_400_000);
  assert.equal(parseDuration('--run-expiry', '1.5s'), 1500);
  assert.throws(() => parseDuration('--run-expiry', '0s'), { code: 'INVALID_DURATION' });
  assert.throws(() => parseDuration('--run-expiry', '10'), { code: 'INVALID_DURATION' });
});

test('listen addresses are host:port, IPv6 in brackets', () => {
  assert.deepEqual(parseListen('127.0.0.1:8000'), { host: '127.0.0.1', port: 8000 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parseListen('8000'), { code: 'INVALID_LISTEN' });
  assert.throws(() => parseListen('localhost:99999'), { code: 'INVALID_LISTEN' });
});
