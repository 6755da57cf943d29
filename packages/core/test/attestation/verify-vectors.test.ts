import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { type VerificationTrust, verifyAttestation } from '../../src/attestation/index';
import { readVector } from './vectors';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const BLOB = sha256('some-payload'); // the artifact of cosign's attest-blob test
const ARTIFACT = sha256(readVector('envelopes', 'generated', 'artifact.txt'));

const cosignKey = { publicKeyPem: readVector('envelopes', 'cosign', 'cosign-test.pub') };
const p256 = { publicKeyPem: readVector('envelopes', 'generated', 'p256.pub') };
const p384 = { publicKeyPem: readVector('envelopes', 'generated', 'p384.pub') };
const chainloopKey = { publicKeyPem: readVector('envelopes', 'chainloop', 'cosign.pub') };
const chainloopCa = readVector('envelopes', 'chainloop', 'ca.pub');
const chainloopLeaf = readVector('envelopes', 'chainloop', 'cert.pem');

/** The hashes under which the first signature of an envelope (or a bundle's envelope) verifies with the key. */
function hashesTheSignatureVerifiesWith(document: string, publicKeyPem: string): string[] {
  const parsed = JSON.parse(document);
  const envelope = parsed.dsseEnvelope ?? parsed;
  const payload = Buffer.from(envelope.payload, 'base64');
  const type = Buffer.from(envelope.payloadType, 'utf8');
  // DSSE pre-authentication encoding, written out here rather than taken from the code under test.
  const signed = Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
  const signature = Buffer.from(envelope.signatures[0].sig, 'base64');
  return ['sha256', 'sha384', 'sha512'].filter((hash) => verify(hash, signed, publicKeyPem, signature));
}

async function expectFailure(file: string[], trust: VerificationTrust, reason: RegExp, subjectDigest?: string) {
  await assert.rejects(
    verifyAttestation(readVector('envelopes', ...file), trust, { subjectDigest }),
    (error: Error & { code: string }) => {
      assert.equal(error.code, 'VERIFICATION_FAILED');
      assert.match(error.message, reason);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
}

describe('cosign attest-blob envelopes (Statement v0.1, SLSA v0.2)', () => {
  test('blobSLSAProvenanceSignature verifies for the blob', async () => {
    const result = await verifyAttestation(
      readVector('envelopes', 'cosign', 'blobSLSAProvenanceSignature.dsse.json'),
      cosignKey,
      { subjectDigest: BLOB },
    );
    assert.equal(result.predicateType, 'https://slsa.dev/provenance/v0.2');
    assert.equal(result.statement._type, 'https://in-toto.io/Statement/v0.1');
    assert.deepEqual(result.subjects, [{ name: 'blob', digest: { sha256: BLOB.slice(7) } }]);
  });

  test('dssePredicateMultipleSubjects verifies (one of two subjects matches)', async () => {
    const result = await verifyAttestation(
      readVector('envelopes', 'cosign', 'dssePredicateMultipleSubjects.dsse.json'),
      cosignKey,
      { subjectDigest: BLOB },
    );
    assert.equal(result.subjects.length, 2);
  });

  test('dssePredicateEmptySubject fails: no subject', async () => {
    await expectFailure(['cosign', 'dssePredicateEmptySubject.dsse.json'], cosignKey, /no subject; at least one/);
  });

  test('dssePredicateMissingSha256 fails: the subject has no digest', async () => {
    await expectFailure(['cosign', 'dssePredicateMissingSha256.dsse.json'], cosignKey, /subject\[0\] has no digest/);
  });

  test('dssePredicateMultipleSubjectsInvalid fails: no subject digest matches the blob', async () => {
    await expectFailure(
      ['cosign', 'dssePredicateMultipleSubjectsInvalid.dsse.json'],
      cosignKey,
      /no subject has digest sha256:658781cd/,
      BLOB,
    );
    // Its signature itself is valid: without an artifact to match it verifies.
    await verifyAttestation(
      readVector('envelopes', 'cosign', 'dssePredicateMultipleSubjectsInvalid.dsse.json'),
      cosignKey,
    );
  });

  test('the v0.3 bundle built like cosign test (hint "hint", no tlog) verifies', async () => {
    const result = await verifyAttestation(
      readVector('envelopes', 'cosign', 'blobSLSAProvenance.constructed-like-cosign-test.bundle.json'),
      cosignKey,
      { subjectDigest: BLOB },
    );
    assert.equal(result.predicateType, 'https://slsa.dev/provenance/v0.2');
  });

  test('a cosign envelope does not verify with another key', async () => {
    await expectFailure(['cosign', 'blobSLSAProvenanceSignature.dsse.json'], p256, /the signature does not match/);
  });
});

describe('Chainloop envelopes and bundles', () => {
  test('attestation push --key output verifies with cosign.pub', async () => {
    const result = await verifyAttestation(
      readVector('envelopes', 'chainloop', 'cosign-attestation.dsse.json'),
      chainloopKey,
    );
    assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.deepEqual(
      result.subjects.map((subject) => [subject.name, Object.keys(subject.digest)]),
      [
        ['chainloop.workflow.mywf', ['sha256']],
        ['git.head', ['sha1']],
      ],
    );
    // The exact signed bytes are handed back (protojson spacing intact).
    assert.match(result.payload.toString(), /^\{"_type":"https:\/\/in-toto.io\/Statement\/v1", "subject"/);
  });

  test('the keyless envelope chains to its CA at its signing time (default: the leaf notBefore)', async () => {
    const result = await verifyAttestation(readVector('envelopes', 'chainloop', 'cert-attestation.dsse.json'), {
      certificatePem: chainloopLeaf,
      chainPem: chainloopCa,
    });
    assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.equal(result.signer.kind, 'certificate');
    if (result.signer.kind === 'certificate') {
      assert.equal(result.signer.verifiedAt.toISOString(), '2024-06-18T16:38:48.000Z');
    }
  });

  test('the keyless envelope verifies at an explicit time inside the 10-minute window', async () => {
    const at = new Date('2024-06-18T16:40:00Z');
    const result = await verifyAttestation(readVector('envelopes', 'chainloop', 'cert-attestation.dsse.json'), {
      certificatePem: chainloopLeaf,
      chainPem: chainloopCa,
      at,
    });
    assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.ok(result.signer.kind === 'certificate', 'verified through the certificate');
    assert.equal(result.signer.verifiedAt.toISOString(), at.toISOString(), 'checked at the given time, not notBefore');
    assert.deepEqual(
      [result.signer.notBefore.toISOString(), result.signer.notAfter.toISOString()],
      ['2024-06-18T16:38:48.000Z', '2024-06-18T16:48:48.000Z'],
      'the 10-minute keyless window the given time falls in',
    );
  });

  test('the keyless envelope fails after the leaf expired, and today (CA expired 2026-05-28)', async () => {
    const trust = { certificatePem: chainloopLeaf, chainPem: chainloopCa };
    await expectFailure(
      ['chainloop', 'cert-attestation.dsse.json'],
      { ...trust, at: new Date('2024-06-18T17:00:00Z') },
      /signing certificate "O=5e9013c7-a7f5-4b4d-8c4b-65fb0a78dd25" is not valid at 2024-06-18T17:00:00.000Z/,
    );
    await expectFailure(
      ['chainloop', 'cert-attestation.dsse.json'],
      { ...trust, at: new Date('2026-06-01T00:00:00Z') },
      /is not valid at 2026-06-01/,
    );
  });

  test('the keyless envelope fails without its certificate, or against another CA', async () => {
    await expectFailure(
      ['chainloop', 'cert-attestation.dsse.json'],
      { chainPem: chainloopCa },
      /carries no certificate; pass the signing certificate with --cert/,
    );
    await expectFailure(
      ['chainloop', 'cert-attestation.dsse.json'],
      { certificatePem: chainloopLeaf, chainPem: chainloopLeaf },
      /was not issued by the given CA chain/,
    );
  });

  test('the cert bundle (leaf inside) chains to the same CA at its signing time', async () => {
    const result = await verifyAttestation(
      readVector('envelopes', 'chainloop', 'attestation-bundle.cert.sigstore.json'),
      { chainPem: chainloopCa },
    );
    assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
  });

  test('the legacy bundle with a double-base64 signature verifies with its embedded certificate', async () => {
    const bundle = JSON.parse(readVector('envelopes', 'chainloop', 'bundle.double-b64-sig.sigstore.json'));
    const der = Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64');
    const leafPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const result = await verifyAttestation(JSON.stringify(bundle), { certificatePem: leafPem });
    assert.equal(result.subjects[0].name, 'chainloop.workflow.test');
    // Tolerance is for reading only, and only the exact double encoding: a different payload still fails.
    bundle.dsseEnvelope.payload = Buffer.from(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString().replace('workflow.test', 'workflow.tesT'),
    ).toString('base64');
    await assert.rejects(
      verifyAttestation(JSON.stringify(bundle), { certificatePem: leafPem }),
      /signature does not match/,
    );
  });
});

describe('generated envelopes and bundles', () => {
  for (const file of ['envelope.dsse.json', 'bundle.sigstore.json', 'bundle-sigstorejs.sigstore.json']) {
    test(`${file} verifies with p256.pub`, async () => {
      const result = await verifyAttestation(readVector('envelopes', 'generated', file), p256, {
        subjectDigest: ARTIFACT,
      });
      assert.deepEqual(result.subjects, [{ name: 'artifact.txt', digest: { sha256: ARTIFACT.slice(7) } }]);
      assert.equal(result.predicateType, 'https://example.com/predicate/v1');
    });
  }

  for (const file of ['envelope-p384.dsse.json', 'bundle-p384.sigstore.json']) {
    test(`${file} verifies with p384.pub using SHA-384 (cosign's P-384 hash)`, async () => {
      const document = readVector('envelopes', 'generated', file);
      // Checked with node:crypto alone: the vector's signature is over SHA-384 and no other hash, so verifying it
      // proves our verifier hashes P-384 signatures with SHA-384.
      assert.deepEqual(hashesTheSignatureVerifiesWith(document, p384.publicKeyPem), ['sha384']);
      const result = await verifyAttestation(document, p384, { subjectDigest: ARTIFACT });
      assert.deepEqual(result.subjects, [{ name: 'artifact.txt', digest: { sha256: ARTIFACT.slice(7) } }]);
      assert.equal(result.signer.kind, 'key');
    });
  }

  for (const file of ['envelope-tampered.dsse.json', 'bundle-tampered.sigstore.json']) {
    test(`${file} fails: payload changed after signing`, async () => {
      await expectFailure(['generated', file], p256, /the signature does not match/);
    });
  }

  test('a P-256 envelope does not verify with the P-384 key', async () => {
    await expectFailure(['generated', 'envelope.dsse.json'], p384, /the signature does not match/);
  });

  test('a document that is neither JSON nor an envelope is a clear failure', async () => {
    await assert.rejects(verifyAttestation('not json', p256), /the document is not JSON/);
    await assert.rejects(verifyAttestation('{"payloadType":"x"}', p256), /"payload" is missing/);
  });
});

describe('Chainloop key-signed bundles', () => {
  test('a bundle with empty verificationMaterial (as Chainloop writes for --key) verifies with the key', async () => {
    const envelope = JSON.parse(readVector('envelopes', 'chainloop', 'cosign-attestation.dsse.json'));
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.3',
      verificationMaterial: {},
      dsseEnvelope: envelope,
    };
    const result = await verifyAttestation(JSON.stringify(bundle), chainloopKey);
    assert.equal(result.subjects[0].name, 'chainloop.workflow.mywf');
  });
});
