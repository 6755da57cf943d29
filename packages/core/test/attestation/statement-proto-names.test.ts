/**
 * Chainloop reads statements with protojson, which takes the protobuf field names too: two of its own stored envelopes
 * (controlplane testdata with-git-subject.json and same-digest-than-git-subject.json, copied into
 * fixtures/vectors/envelopes/chainloop) use `type` and `predicate_type`. We read and verify them; we never write them.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnvelope, preAuthEncoding } from '../../src/attestation/dsse';
import { loadSigningKey } from '../../src/attestation/key-signer';
import { signStatement } from '../../src/attestation/sign';
import { type InTotoStatement, readStatement, validateStatement } from '../../src/attestation/statement';
import { verifyAttestation } from '../../src/attestation/verify';
import { GENERATED_KEY, readVector, vectorPath } from './vectors';

const FILES = ['with-git-subject.proto-names.dsse.json', 'same-digest-than-git-subject.proto-names.dsse.json'];

function payloadOf(file: string): Buffer {
  return Buffer.from(JSON.parse(readVector('envelopes', 'chainloop', file)).payload, 'base64');
}

/** The vector's exact payload bytes, signed again with the suite's key (the vectors' own signature verifies with no key we have). */
async function resigned(file: string): Promise<string> {
  const signer = await loadSigningKey(vectorPath('keys', `${GENERATED_KEY.file}.key`), {
    password: GENERATED_KEY.password,
  });
  const payload = payloadOf(file);
  const signature = await signer.sign(preAuthEncoding('application/vnd.in-toto+json', payload));
  return JSON.stringify(createEnvelope('application/vnd.in-toto+json', payload, signature));
}

describe('statements with protobuf field names (type, predicate_type)', { timeout: 30_000 }, () => {
  it('the real Chainloop vectors use them', () => {
    for (const file of FILES) {
      const raw = JSON.parse(payloadOf(file).toString('utf8'));
      assert.equal(raw.type, 'https://in-toto.io/Statement/v1', file);
      assert.equal(raw.predicate_type, 'chainloop.dev/attestation/v0.2', file);
      assert.equal(raw._type, undefined, file);
      assert.equal(raw.predicateType, undefined, file);
    }
  });

  it('are read as the in-toto JSON names', () => {
    const statement = readStatement(JSON.parse(payloadOf(FILES[0]).toString('utf8')));
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.equal('type' in statement, false);
    assert.equal('predicate_type' in statement, false);
    assert.deepEqual(
      statement.subject.map((s) => s.name),
      ['chainloop.workflow.test-new-types', 'git.head', 'index.docker.io/bitnami/nginx'],
    );
    assert.deepEqual(statement.subject[1].digest, { sha1: '78ac366c9e8a300d51808d581422ca61f7b5b721' });
    assert.equal((statement.predicate.metadata as { name: string }).name, 'test-new-types');
  });

  it('verify: the exact payload bytes, signed, verify and report the statement type', async () => {
    for (const file of FILES) {
      const result = await verifyAttestation(await resigned(file), {
        publicKeyPem: readVector('keys', `${GENERATED_KEY.file}.pub`),
      });
      assert.equal(result.statement._type, 'https://in-toto.io/Statement/v1', file);
      assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2', file);
      assert.equal(result.subjects[0].name, 'chainloop.workflow.test-new-types', file);
      assert.ok(result.payload.equals(payloadOf(file)), 'the payload is returned untouched');
    }
  });

  it('the vectors as stored: only their signature fails, never the statement', async () => {
    await assert.rejects(
      verifyAttestation(readVector('envelopes', 'chainloop', FILES[0]), {
        publicKeyPem: readVector('envelopes', 'chainloop', 'cosign.pub'),
      }),
      { code: 'VERIFICATION_FAILED', message: /the signature does not match/ },
    );
  });

  it('a statement naming a field both ways is refused, as protojson does', () => {
    const raw = JSON.parse(payloadOf(FILES[1]).toString('utf8'));
    assert.throws(() => readStatement({ ...raw, _type: 'https://in-toto.io/Statement/v1' }), {
      code: 'STATEMENT_INVALID',
      message: 'in-toto statement: has both "_type" and "type"; keep one',
    });
  });

  it('never written: signing refuses the protobuf names', async () => {
    const raw = JSON.parse(payloadOf(FILES[1]).toString('utf8')) as unknown as InTotoStatement;
    assert.throws(() => validateStatement(raw), { code: 'STATEMENT_INVALID', message: /_type "undefined"/ });
    const signer = await loadSigningKey(vectorPath('keys', `${GENERATED_KEY.file}.key`), {
      password: GENERATED_KEY.password,
    });
    await assert.rejects(signStatement(raw, signer), { code: 'STATEMENT_INVALID' });
  });
});
