import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEnvelope, decodeEnvelope, preAuthEncoding } from '../../src/attestation/index';
import { readVector } from './vectors';

describe('DSSE pre-authentication encoding', () => {
  test('matches the DSSE protocol example byte for byte', () => {
    const pae = preAuthEncoding('application/vnd.in-toto+json', Buffer.from('{}'));
    assert.deepEqual(pae, Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}', 'utf8'));
  });

  test('counts bytes, not characters, for non-ASCII type and body', () => {
    const pae = preAuthEncoding('tëst', Buffer.from('é', 'utf8'));
    assert.deepEqual(pae, Buffer.from('DSSEv1 5 tëst 2 é', 'utf8'));
    assert.deepEqual(pae.subarray(0, 9), Buffer.from('DSSEv1 5 '));
  });

  test('an empty payload is encoded with length 0', () => {
    assert.deepEqual(preAuthEncoding('t', Buffer.alloc(0)), Buffer.from('DSSEv1 1 t 0 '));
  });
});

describe('DSSE envelope', () => {
  test('we write payloadType, payload, signatures[{keyid: "", sig}] like cosign and Chainloop', () => {
    const vector = JSON.parse(readVector('envelopes', 'generated', 'envelope.dsse.json'));
    const payload = Buffer.from(vector.payload, 'base64');
    const signature = Buffer.from(vector.signatures[0].sig, 'base64');
    const envelope = createEnvelope(vector.payloadType, payload, signature);
    assert.equal(`${JSON.stringify(envelope, null, 2)}\n`, readVector('envelopes', 'generated', 'envelope.dsse.json'));
  });

  test('payloads in URL-safe base64 without padding decode to the same bytes', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x7b, 0x7d]);
    const standard = decodeEnvelope({
      payloadType: 't',
      payload: bytes.toString('base64'),
      signatures: [{ sig: 'AA==' }],
    });
    const urlSafe = decodeEnvelope({
      payloadType: 't',
      payload: bytes.toString('base64url'),
      signatures: [{ sig: 'AA' }],
    });
    assert.deepEqual(standard.payload, bytes);
    assert.deepEqual(urlSafe.payload, bytes);
    assert.equal(urlSafe.signatures[0].keyid, '', 'a missing keyid reads as ""');
  });

  test('missing fields and bad base64 are one-line errors', () => {
    assert.throws(() => decodeEnvelope({ payload: 'e30=', signatures: [] }), /"payloadType" is missing/);
    assert.throws(() => decodeEnvelope({ payloadType: 't', payload: 'e30=', signatures: [] }), /unsigned/);
    assert.throws(
      () => decodeEnvelope({ payloadType: 't', payload: 'e30=!', signatures: [{ sig: 'AA==' }] }),
      /"payload" is not valid base64/,
    );
  });
});
