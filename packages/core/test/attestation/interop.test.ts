import '../hang-guard';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import {
  type InTotoStatement,
  loadSigningKey,
  type SignedStatement,
  type Signer,
  signStatement,
  verifyAttestation,
} from '../../src/attestation/index';
import { GENERATED_KEY, readVector, vectorPath } from './vectors';

// Debian's securesystemslib lives in /usr/lib/python3/dist-packages; the pyenv python3 on PATH cannot import it.
const DEBIAN_PYTHON = '/usr/bin/python3';
const PYTHON_VERIFIER = join(import.meta.dirname, 'verify_dsse.py');

const statement: InTotoStatement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [
    { name: 'artifact.txt', digest: { sha256: '51bc0fc1f19104fa6e89ce50be9aa1f57c3346c1ca51ab49f5f00e14ce8f8076' } },
  ],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: { metadata: { name: 'build-and-test', note: 'non-ASCII: ünïcødé ✓' } },
};

const scratch = mkdtempSync(join(tmpdir(), 'signing-interop-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** @sigstore/verify fully offline: empty trusted root, our key by hint, all thresholds 0 (no transparency log or timestamp authority in an offline check). */
function verifyWithSigstoreJs(bundleJson: string, publicKeyPem: string): void {
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const trust = toTrustMaterial(root, () => ({ publicKey: createPublicKey(publicKeyPem), validFor: () => true }));
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
    toSignedEntity(bundleFromJSON(JSON.parse(bundleJson))),
  );
}

function verifyWithSecuresystemslib(document: string, publicKeyPem: string): { status: number | null; stdout: string } {
  const documentPath = join(scratch, `doc-${Math.random().toString(36).slice(2)}.json`);
  const keyPath = join(scratch, 'key.pub');
  writeFileSync(documentPath, document);
  writeFileSync(keyPath, publicKeyPem);
  const result = spawnSync(DEBIAN_PYTHON, [PYTHON_VERIFIER, documentPath, keyPath], { encoding: 'utf8' });
  assert.equal(result.stderr, '', 'the python verifier ran without errors');
  return { status: result.status, stdout: result.stdout.trim() };
}

/** The same document with one byte of the signed payload changed. */
function tamperOneByte(document: string): string {
  const value = JSON.parse(document);
  const envelope = value.dsseEnvelope ?? value;
  const payload = Buffer.from(envelope.payload, 'base64');
  const index = payload.indexOf('build-and-test');
  assert.ok(index >= 0, 'the payload holds the text to change');
  payload[index] = 'B'.charCodeAt(0);
  envelope.payload = payload.toString('base64');
  return JSON.stringify(value);
}

describe('what we sign verifies with independent verifiers', () => {
  let signer: Signer;
  let signed: SignedStatement;

  before(async () => {
    assert.ok(existsSync(DEBIAN_PYTHON), 'Debian python3 missing: apt-get install python3-securesystemslib');
    const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import securesystemslib; print(securesystemslib.__version__)'], {
      encoding: 'utf8',
    });
    assert.equal(
      probe.status,
      0,
      `python3-securesystemslib missing (apt-get install python3-securesystemslib): ${probe.stderr}`,
    );
    signer = await loadSigningKey(vectorPath('keys', `${GENERATED_KEY.file}.key`), {
      password: GENERATED_KEY.password,
    });
    signed = await signStatement(statement, signer);
  });

  test('the payload is the exact UTF-8 of JSON.stringify(statement) and the envelope has keyid ""', () => {
    assert.deepEqual(Buffer.from(signed.envelope.payload, 'base64'), Buffer.from(JSON.stringify(statement), 'utf8'));
    assert.deepEqual(Object.keys(signed.envelope), ['payloadType', 'payload', 'signatures']);
    assert.equal(signed.envelope.payloadType, 'application/vnd.in-toto+json');
    assert.deepEqual(Object.keys(signed.envelope.signatures[0]), ['keyid', 'sig']);
    assert.equal(signed.envelope.signatures[0].keyid, '');
    assert.equal(signed.bundle.verificationMaterial.publicKey?.hint, 'LWF/cJ3Q7lfzDnbz9TeMwyWH2OUThkQoUK/hfroon3M=');
    assert.equal(signed.bundle.dsseEnvelope.signatures[0].sig, signed.envelope.signatures[0].sig);
    assert.equal(signed.bundleJson, `${JSON.stringify(signed.bundle, null, 2)}\n`);
  });

  test('the bundle verifies with @sigstore/verify (offline, thresholds 0), a tampered one fails', () => {
    verifyWithSigstoreJs(signed.bundleJson, signer.publicKeyPem);
    assert.throws(
      () => verifyWithSigstoreJs(tamperOneByte(signed.bundleJson), signer.publicKeyPem),
      /SIGNATURE_ERROR|signature/i,
    );
  });

  test('envelope and bundle verify with python securesystemslib 0.26, tampered ones fail', () => {
    const envelopeJson = JSON.stringify(signed.envelope);
    assert.deepEqual(verifyWithSecuresystemslib(envelopeJson, signer.publicKeyPem), { status: 0, stdout: 'VERIFIED' });
    assert.deepEqual(verifyWithSecuresystemslib(signed.bundleJson, signer.publicKeyPem), {
      status: 0,
      stdout: 'VERIFIED',
    });
    assert.deepEqual(verifyWithSecuresystemslib(tamperOneByte(envelopeJson), signer.publicKeyPem), {
      status: 1,
      stdout: 'NOT VERIFIED',
    });
    assert.deepEqual(verifyWithSecuresystemslib(tamperOneByte(signed.bundleJson), signer.publicKeyPem), {
      status: 1,
      stdout: 'NOT VERIFIED',
    });
  });

  test('the python verifier rejects the right signature under another key', () => {
    const other = readVector('envelopes', 'cosign', 'cosign-test.pub');
    assert.equal(verifyWithSecuresystemslib(signed.bundleJson, other).status, 1);
  });

  test('our own verifier agrees: verified, and fails after one payload byte changes', async () => {
    const result = await verifyAttestation(signed.bundleJson, { publicKeyPem: signer.publicKeyPem });
    assert.deepEqual(result.statement, statement);
    await assert.rejects(verifyAttestation(tamperOneByte(signed.bundleJson), { publicKeyPem: signer.publicKeyPem }), {
      code: 'VERIFICATION_FAILED',
    });
  });

  test('every decryptable cosign vector key signs something @sigstore/verify or python accepts', async () => {
    for (const [file, password] of [
      ['cosign__keys_test__pemsigstorekey', 'hello'],
      ['sigstore-rs__cosign_generated_encrypted_empty_private', ''],
    ]) {
      const vectorSigner = await loadSigningKey(vectorPath('keys', `${file}.key`), { password });
      const result = await signStatement(statement, vectorSigner);
      verifyWithSigstoreJs(result.bundleJson, vectorSigner.publicKeyPem);
      assert.equal(verifyWithSecuresystemslib(result.bundleJson, vectorSigner.publicKeyPem).status, 0);
    }
  });
});
