import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  createKeyBundle,
  importPublicKeyPem,
  publicKeyHint,
  readBundle,
  serializeBundle,
} from '../../src/attestation/index';
import { readVector } from './vectors';

describe('Sigstore bundle v0.3', () => {
  test('publicKey.hint is base64(sha256(SPKI DER)) of the key', () => {
    const key = importPublicKeyPem(readVector('envelopes', 'generated', 'p256.pub'), 'p256.pub');
    const spki = key.export({ type: 'spki', format: 'der' });
    assert.equal(publicKeyHint(key), createHash('sha256').update(spki).digest('base64'));
    assert.equal(publicKeyHint(key), 'LWF/cJ3Q7lfzDnbz9TeMwyWH2OUThkQoUK/hfroon3M=');
  });

  test('a key bundle we write is byte-identical to the vector built the cosign/sigstore-go way', () => {
    const envelope = JSON.parse(readVector('envelopes', 'generated', 'envelope.dsse.json'));
    const bundle = createKeyBundle(envelope, 'LWF/cJ3Q7lfzDnbz9TeMwyWH2OUThkQoUK/hfroon3M=');
    assert.equal(serializeBundle(bundle), readVector('envelopes', 'generated', 'bundle.sigstore.json'));
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    // The signature is base64 of the DER once (starts with MEQ/MEU/MEY), never base64 of base64.
    assert.match(bundle.dsseEnvelope.signatures[0].sig, /^ME[QUY]/);
  });

  test('reads both mediaType spellings and the certificate forms', () => {
    const chainloop = readBundle(
      JSON.parse(readVector('envelopes', 'chainloop', 'attestation-bundle.cert.sigstore.json')),
    );
    assert.equal(chainloop.material.kind, 'certificate');
    const legacy = readBundle(JSON.parse(readVector('envelopes', 'chainloop', 'bundle.double-b64-sig.sigstore.json')));
    assert.equal(legacy.material.kind, 'certificate');
    const ours = readBundle(JSON.parse(readVector('envelopes', 'generated', 'bundle.sigstore.json')));
    assert.deepEqual(ours.material, { kind: 'publicKey', hint: 'LWF/cJ3Q7lfzDnbz9TeMwyWH2OUThkQoUK/hfroon3M=' });
  });

  test('refuses an unknown mediaType with a one-line error', () => {
    assert.throws(
      () => readBundle({ mediaType: 'application/json', dsseEnvelope: {}, verificationMaterial: {} }),
      /mediaType "application\/json" is not a Sigstore bundle/,
    );
  });
});
