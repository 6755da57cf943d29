import '../hang-guard';
import assert from 'node:assert/strict';
import crypto, { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, mock, test } from 'node:test';
import {
  decryptCosignPrivateKey,
  encryptCosignPrivateKey,
  generateKeyPair,
  importPkcs8PrivateKey,
  loadSigningKey,
  openEncryptedKeyData,
  parseCosignPrivateKeyPem,
} from '../../src/attestation/index';
import { editCosignKey, GENERATED_KEY, readVector, vectorPath } from './vectors';

// Every row of fixtures/vectors/README.md "keys/" that must decrypt: file, password, label.
const DECRYPTABLE_KEYS: Array<{ file: string; password: string; label: string; type: string; N: number }> = [
  { file: 'cosign__keys_test__pemsigstorekey', password: 'hello', label: 'SIGSTORE', type: 'ec', N: 32768 },
  { file: 'cosign__keys_test__pemcosignkey', password: 'hello', label: 'COSIGN', type: 'ec', N: 32768 },
  {
    file: 'sigstore-rs__cosign_generated_encrypted_empty_private',
    password: '',
    label: 'SIGSTORE',
    type: 'ec',
    N: 65536,
  },
  { file: 'conforma-cli__vsa_test__TestSignVSA', password: '', label: 'SIGSTORE', type: 'ec', N: 65536 },
  { file: 'sigstore-rs__ecdsa_encrypted_private', password: '123', label: 'COSIGN', type: 'ec', N: 32768 },
  { file: 'sigstore-rs__rsa_encrypted_private', password: '123', label: 'SIGSTORE', type: 'rsa', N: 32768 },
  {
    file: 'sigstore-rs__ed25519_encrypted_private.pkcs8v2',
    password: '123',
    label: 'SIGSTORE',
    type: 'ed25519',
    N: 32768,
  },
  {
    file: 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM',
    password: 'password',
    label: 'COSIGN',
    type: 'ec',
    N: 32768,
  },
];

const scratch = mkdtempSync(join(tmpdir(), 'cosign-key-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function scratchFile(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('cosign key vectors', () => {
  for (const key of DECRYPTABLE_KEYS) {
    test(`${key.file} decrypts with its password and yields the listed public key`, async () => {
      const pem = readVector('keys', `${key.file}.key`);
      assert.match(pem, new RegExp(`BEGIN ENCRYPTED ${key.label} PRIVATE KEY`));
      assert.equal(parseCosignPrivateKeyPem(pem, 'key').kdf.params.N, key.N);
      const signer = await loadSigningKey(vectorPath('keys', `${key.file}.key`), { password: key.password });
      assert.equal(signer.publicKeyPem, readVector('keys', `${key.file}.derived.pub`));
      const pkcs8 = await decryptCosignPrivateKey(pem, key.password, 'key');
      assert.equal(importPkcs8PrivateKey(pkcs8, 'key').asymmetricKeyType, key.type);
    });
  }

  test('the suite key (N=65536) decrypts and matches its .pub', async () => {
    const signer = await loadSigningKey(vectorPath('keys', `${GENERATED_KEY.file}.key`), {
      password: GENERATED_KEY.password,
    });
    assert.equal(signer.publicKeyPem, readVector('keys', `${GENERATED_KEY.file}.pub`));
  });

  test('the cosign CI key (password unknown) parses and is refused with a wrong-password error', async () => {
    const ref = vectorPath('keys', 'cosign__github_workflows__cosign-test.PASSWORD-UNKNOWN.key');
    const data = parseCosignPrivateKeyPem(
      readVector('keys', 'cosign__github_workflows__cosign-test.PASSWORD-UNKNOWN.key'),
      ref,
    );
    assert.deepEqual(data.kdf.params, { N: 32768, r: 8, p: 1 });
    await assert.rejects(loadSigningKey(ref, { password: 'not-the-secret' }), {
      code: 'SIGNING_KEY_WRONG_PASSWORD',
      message: `wrong password for signing key ${ref}`,
    });
  });

  test('the SEC1 key opens but is refused as not PKCS#8, like cosign', async () => {
    const ref = vectorPath('keys', 'cosign__keys_test__pemcosigneckey.NEGATIVE-sec1.key');
    await assert.rejects(loadSigningKey(ref, { password: 'hello' }), (error: Error & { code: string }) => {
      assert.equal(error.code, 'SIGNING_KEY_NOT_PKCS8');
      assert.match(error.message, /SEC1 "EC PRIVATE KEY", not PKCS#8/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  test('the go-securesystemslib KDF blobs (N 32768, 65536, 131072) decrypt', async () => {
    const file = JSON.parse(readVector('kdf', 'go-securesystemslib-encrypted_test-vectors.json'));
    for (const name of ['legacy', 'standard', 'owasp']) {
      const plaintext = await openEncryptedKeyData(file.vectors[name], file.password, name);
      assert.equal(plaintext.toString('utf8'), '"cmVhbGx5aW1wb3J0YW50"', name);
    }
    assert.equal((await openEncryptedKeyData(file.vectors.raw, file.password, 'raw')).toString(), 'reallyimportant');
    await assert.rejects(openEncryptedKeyData(file.vectors.raw, 'supersecret!', 'raw'), {
      code: 'SIGNING_KEY_WRONG_PASSWORD',
    });
  });
});

describe('bad key files: one-line errors naming the key', () => {
  const base = readVector('keys', 'cosign__keys_test__pemsigstorekey.key');
  const cases: Array<{ name: string; content: string; code: string; message: RegExp }> = [
    {
      name: 'truncated PEM',
      content: base.split('\n').slice(0, 4).join('\n'),
      code: 'SIGNING_KEY_MALFORMED',
      message: /is truncated \(no "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----" line\)/,
    },
    {
      name: 'wrong label',
      content: base.replaceAll('ENCRYPTED SIGSTORE PRIVATE KEY', 'PRIVATE KEY'),
      code: 'SIGNING_KEY_UNSUPPORTED',
      message: /PEM label "PRIVATE KEY" is not a cosign key/,
    },
    {
      name: 'unknown kdf',
      content: editCosignKey(base, (json) => {
        json.kdf.name = 'argon2id';
      }),
      code: 'SIGNING_KEY_UNSUPPORTED',
      message: /unsupported key derivation "argon2id"/,
    },
    {
      name: 'unknown cipher',
      content: editCosignKey(base, (json) => {
        json.cipher.name = 'aes-256-gcm';
      }),
      code: 'SIGNING_KEY_UNSUPPORTED',
      message: /unsupported cipher "aes-256-gcm"/,
    },
    {
      name: 'N=2^20',
      content: editCosignKey(base, (json) => {
        json.kdf.params.N = 2 ** 20;
      }),
      code: 'SIGNING_KEY_UNSUPPORTED',
      message: /unsupported scrypt parameters N=1048576 r=8 p=1/,
    },
    {
      name: 'r=16',
      content: editCosignKey(base, (json) => {
        json.kdf.params.r = 16;
      }),
      code: 'SIGNING_KEY_UNSUPPORTED',
      message: /N=32768 r=16 p=1/,
    },
    { name: 'empty file', content: '', code: 'SIGNING_KEY_EMPTY', message: /is empty/ },
    {
      name: 'public key',
      content: readVector('keys', 'cosign__keys_test__pemsigstorekey.derived.pub'),
      code: 'SIGNING_KEY_NOT_PRIVATE',
      message: /is a public key, not a private key/,
    },
    {
      name: 'not PEM at all',
      content: 'hello\n',
      code: 'SIGNING_KEY_MALFORMED',
      message: /is not PEM/,
    },
    {
      name: 'short nonce',
      content: editCosignKey(base, (json) => {
        json.cipher.nonce = Buffer.alloc(12).toString('base64');
      }),
      code: 'SIGNING_KEY_MALFORMED',
      message: /cipher.nonce must be 24 bytes/,
    },
  ];
  // Every scrypt call, counted: N=2^20 would need 1 GiB and seconds, so the checks must come before any of it.
  let scrypt: ReturnType<typeof mock.method>;
  before(() => {
    scrypt = mock.method(crypto, 'scrypt');
    syncBuiltinESMExports(); // the code under test imports { scrypt } from node:crypto
  });
  after(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });

  for (const badCase of cases) {
    test(`${badCase.name} is refused before any password is asked or scrypt runs`, async () => {
      const ref = scratchFile(`${badCase.name.replace(/\W/g, '-')}.key`, badCase.content);
      const scryptCallsBefore = scrypt.mock.callCount();
      // No password option and no CHAINLOOP_SIGNING_PASSWORD: reaching the password step reads this stream.
      const stdin = new Readable({
        read() {
          this.destroy(new Error('the password was asked for: the key file was not refused first'));
        },
      });
      await assert.rejects(loadSigningKey(ref, { env: {}, stdin }), (error: Error & { code: string }) => {
        assert.equal(error.code, badCase.code, error.message);
        assert.match(error.message, badCase.message);
        assert.ok(error.message.includes(ref), error.message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
      assert.equal(scrypt.mock.callCount() - scryptCallsBefore, 0, 'refused before scrypt ran');
    });
  }

  test('wrong password names the key reference and never the password', async () => {
    const ref = vectorPath('keys', 'cosign__keys_test__pemsigstorekey.key');
    await assert.rejects(loadSigningKey(ref, { password: 'hunter2' }), (error: Error & { code: string }) => {
      assert.equal(error.code, 'SIGNING_KEY_WRONG_PASSWORD');
      assert.equal(error.message, `wrong password for signing key ${ref}`);
      return true;
    });
  });
});

describe('keys we write', () => {
  for (const kdfN of [32768, 65536] as const) {
    test(`a generated key with N=${kdfN} decrypts and has the cosign layout`, async () => {
      const pair = await generateKeyPair({ password: 'pw', kdfN });
      assert.match(pair.privateKeyPem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
      assert.ok(pair.privateKeyPem.split('\n').every((line) => line.length <= 64));
      const data = parseCosignPrivateKeyPem(pair.privateKeyPem, 'generated');
      // Same field order and parameters as go-securesystemslib writes.
      assert.deepEqual(Object.keys(data), ['kdf', 'cipher', 'ciphertext']);
      assert.deepEqual(data.kdf.params, { N: kdfN, r: 8, p: 1 });
      assert.equal(Buffer.from(data.kdf.salt, 'base64').length, 32);
      assert.equal(Buffer.from(data.cipher.nonce, 'base64').length, 24);
      assert.equal(Buffer.from(data.ciphertext, 'base64').length, 138 + 16, 'P-256 PKCS#8 (138 bytes) + tag');
      const pkcs8 = await decryptCosignPrivateKey(pair.privateKeyPem, 'pw', 'generated');
      const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.equal(createPublicKey(key).export({ type: 'spki', format: 'pem' }), pair.publicKeyPem);
      await assert.rejects(decryptCosignPrivateKey(pair.privateKeyPem, 'pW', 'generated'), {
        code: 'SIGNING_KEY_WRONG_PASSWORD',
      });
    });
  }

  test('the default work factor is N=65536 (what cosign >= 2.2 writes)', async () => {
    const pair = await generateKeyPair({ password: '' });
    assert.equal(parseCosignPrivateKeyPem(pair.privateKeyPem, 'generated').kdf.params.N, 65536);
  });

  test('re-encrypting a vector key keeps it usable by our reader (empty password too)', async () => {
    const pkcs8 = await decryptCosignPrivateKey(
      readVector('keys', 'sigstore-rs__rsa_encrypted_private.key'),
      '123',
      'k',
    );
    const pem = await encryptCosignPrivateKey(pkcs8, '', { kdfN: 32768 });
    const ref = scratchFile('rsa-reencrypted.key', pem);
    const signer = await loadSigningKey(ref, { password: '' });
    assert.equal(signer.publicKeyPem, readVector('keys', 'sigstore-rs__rsa_encrypted_private.derived.pub'));
  });
});
