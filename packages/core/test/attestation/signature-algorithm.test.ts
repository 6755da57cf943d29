import '../hang-guard';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ed25519ph } from '@noble/curves/ed25519';
import {
  decryptCosignPrivateKey,
  KeySigner,
  loadSigningKey,
  preAuthEncoding,
  signatureAlgorithmFor,
} from '../../src/attestation/index';
import { readVector, vectorPath } from './vectors';

const pae = preAuthEncoding('application/vnd.in-toto+json', Buffer.from('{"hello":"world"}'));

describe('signatures are made the way cosign makes them', () => {
  test('Ed25519 keys sign Ed25519ph (SHA-512 prehash), not pure Ed25519', async () => {
    const signer = await loadSigningKey(vectorPath('keys', 'sigstore-rs__ed25519_encrypted_private.pkcs8v2.key'), {
      password: '123',
    });
    const signature = await signer.sign(pae);
    const publicKey = createPublicKey(signer.publicKeyPem);
    const raw = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
    assert.ok(ed25519ph.verify(signature, pae, raw));
    assert.equal(verify(null, pae, publicKey, signature), false);
  });

  test('P-384 signs with SHA-384, RSA with PKCS#1 v1.5 SHA-256, P-256 with SHA-256 (all DER)', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const p384Signature = await new KeySigner(p384.privateKey).sign(pae);
    assert.ok(verify('sha384', pae, p384.publicKey, p384Signature));
    assert.equal(verify('sha256', pae, p384.publicKey, p384Signature), false);

    const rsa = await loadSigningKey(vectorPath('keys', 'sigstore-rs__rsa_encrypted_private.key'), { password: '123' });
    assert.ok(verify('sha256', pae, createPublicKey(rsa.publicKeyPem), await rsa.sign(pae)));

    const p256 = await loadSigningKey(vectorPath('keys', 'cosign__keys_test__pemsigstorekey.key'), {
      password: 'hello',
    });
    const p256Signature = await p256.sign(pae);
    assert.equal(p256Signature[0], 0x30, 'ASN.1 DER SEQUENCE');
    assert.ok(verify('sha256', pae, createPublicKey(p256.publicKeyPem), p256Signature));
  });

  test('key types and sizes cosign refuses are refused', () => {
    const p224 = generateKeyPairSync('ec', { namedCurve: 'P-224' });
    assert.throws(() => signatureAlgorithmFor(p224.privateKey, 'k'), /elliptic curve secp224r1 is not supported/);
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(() => signatureAlgorithmFor(rsa1024.privateKey, 'k'), /RSA key size 1024 is not supported/);
  });

  test('a signer never shows its private key in JSON or inspect output', async () => {
    const ref = vectorPath('keys', 'cosign__keys_test__pemsigstorekey.key');
    const signer = await loadSigningKey(ref, { password: 'hello' });
    const pkcs8 = await decryptCosignPrivateKey(
      readVector('keys', 'cosign__keys_test__pemsigstorekey.key'),
      'hello',
      'k',
    );
    const secret = pkcs8.subarray(pkcs8.length - 32);
    for (const text of [JSON.stringify(signer), inspect(signer, { depth: 10, showHidden: true })]) {
      assert.doesNotMatch(text, /PRIVATE KEY/);
      assert.ok(!text.includes(secret.toString('base64')) && !text.includes(secret.toString('hex')));
      assert.ok(!text.includes(Buffer.from(pkcs8).toString('base64').slice(0, 40)));
    }
  });
});
