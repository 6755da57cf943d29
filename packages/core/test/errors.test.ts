import './hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChainloopError, isChainloopError, UsageError } from '../src/errors';

test('usage errors exit with 2 and keep their code', () => {
  const error = new UsageError('BAD_FLAG', '--output "xml" is not supported: use table or json');
  assert.equal(error.exitCode, 2);
  assert.equal(error.code, 'BAD_FLAG');
  assert.ok(isChainloopError(error));
});

test('other errors exit with 1 and carry their cause', () => {
  const cause = new Error('ECONNREFUSED');
  const error = new ChainloopError('CONTROL_PLANE_UNREACHABLE', 'control plane unreachable', { cause });
  assert.equal(error.exitCode, 1);
  assert.equal(error.cause, cause);
});
