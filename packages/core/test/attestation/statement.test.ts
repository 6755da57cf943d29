import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateStatement } from '../../src/attestation/index';

const SHA256 = '51bc0fc1f19104fa6e89ce50be9aa1f57c3346c1ca51ab49f5f00e14ce8f8076';
const SHA1 = 'bf8675a38405383584b8c469df803a945d75d37f';

function statement(overrides: Record<string, unknown> = {}) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'artifact.txt', digest: { sha256: SHA256 } }],
    predicateType: 'chainloop.dev/attestation/v0.2',
    predicate: {},
    ...overrides,
  };
}

describe('in-toto statement validation', () => {
  test('accepts v1 and v0.1 statements', () => {
    assert.equal(validateStatement(statement()).predicateType, 'chainloop.dev/attestation/v0.2');
    assert.ok(validateStatement(statement({ _type: 'https://in-toto.io/Statement/v0.1' })));
  });

  test('v1 subjects need no name, git digests may be sha1 or sha256 length, unknown algorithms pass', () => {
    assert.ok(
      validateStatement(
        statement({
          subject: [
            { digest: { gitCommit: SHA1 } },
            { name: 'b', digest: { gitCommit: SHA256 } },
            { name: 'c', digest: { customAlgo: 'xyz' } },
          ],
        }),
      ),
    );
  });

  const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no subject', { subject: [] }, /no subject; at least one is required/],
    ['subject without digest', { subject: [{ name: 'a', digest: {} }] }, /subject\[0\] has no digest/],
    [
      'short sha256',
      { subject: [{ name: 'a', digest: { sha256: 'abc' } }] },
      /subject\[0\]\.digest\.sha256 "abc" is not 64 hex/,
    ],
    ['sha1 of sha256 length', { subject: [{ name: 'a', digest: { sha1: SHA256 } }] }, /is not 40 hex/],
    ['non-hex sha256', { subject: [{ name: 'a', digest: { sha256: 'z'.repeat(64) } }] }, /is not 64 hex/],
    ['no predicateType', { predicateType: '' }, /predicateType is missing/],
    ['null predicate', { predicate: null }, /predicate is missing or not an object/],
    ['array predicate', { predicate: [] }, /predicate is missing or not an object/],
    [
      'unknown _type',
      { _type: 'https://in-toto.io/Statement/v2' },
      /_type "https:\/\/in-toto.io\/Statement\/v2" is not/,
    ],
    [
      'v0.1 subject without name',
      { _type: 'https://in-toto.io/Statement/v0.1', subject: [{ digest: { sha256: SHA256 } }] },
      /subject\[0\] has no name/,
    ],
  ];
  for (const [name, overrides, message] of rejected) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => validateStatement(statement(overrides)),
        (error: Error & { code: string }) => {
          assert.equal(error.code, 'STATEMENT_INVALID');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
