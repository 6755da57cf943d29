import '../hang-guard';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  generateEphemeralSigner,
  type InTotoStatement,
  issueSigningCertificate,
  signStatement,
  verifyAttestation,
} from '../../src/attestation/index';

const statement: InTotoStatement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'chainloop.workflow.build', digest: { sha256: 'a'.repeat(64) } }],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: {},
};

describe('keyless signing with a control-plane CA', () => {
  let ca: CertificateAuthority;
  let otherCa: CertificateAuthority;
  const issuedAt = new Date('2026-01-10T12:00:00Z');

  before(async () => {
    ca = await createCertificateAuthority({ commonName: 'chainloop test CA', now: new Date('2025-01-01T00:00:00Z') });
    otherCa = await createCertificateAuthority({ commonName: 'someone else' });
  });

  test('the CA certificate is a self-signed CA', () => {
    const certificate = new X509Certificate(ca.certificatePem);
    assert.equal(certificate.ca, true);
    assert.ok(certificate.checkIssued(certificate));
    assert.match(certificate.subject, /CN=chainloop test CA/);
  });

  test('ephemeral key → CSR → leaf (EKU codeSigning, 10 minutes) → signed bundle that verifies against the CA', async () => {
    const { signer, csrPem } = await generateEphemeralSigner();
    assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
    const leafPem = await issueSigningCertificate(ca, csrPem, {
      subject: 'workflow-1234',
      validityMinutes: 10,
      now: issuedAt,
    });
    const leaf = new X509Certificate(leafPem);
    assert.equal(leaf.subject, 'O=workflow-1234');
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.3']);
    assert.equal(new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime(), 10 * 60_000);
    assert.ok(leaf.verify(new X509Certificate(ca.certificatePem).publicKey));

    signer.setCertificateChain([leafPem, ca.certificatePem]);
    const signed = await signStatement(statement, signer);
    assert.equal(signed.bundle.verificationMaterial.publicKey, undefined);
    assert.deepEqual(Buffer.from(signed.bundle.verificationMaterial.certificate?.rawBytes ?? '', 'base64'), leaf.raw);

    const result = await verifyAttestation(signed.bundleJson, { chainPem: ca.certificatePem });
    assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.equal(
      result.signer.kind === 'certificate' && result.signer.verifiedAt.toISOString(),
      issuedAt.toISOString(),
    );

    await assert.rejects(
      verifyAttestation(signed.bundleJson, { chainPem: otherCa.certificatePem }),
      /not issued by the given CA chain/,
    );
    await assert.rejects(
      verifyAttestation(signed.bundleJson, { chainPem: ca.certificatePem, at: new Date('2026-01-10T12:11:00Z') }),
      /is not valid at 2026-01-10T12:11:00.000Z/,
    );
    // The plain envelope carries no certificate: it needs the leaf given separately.
    await verifyAttestation(JSON.stringify(signed.envelope), { certificatePem: leafPem, chainPem: ca.certificatePem });
  });

  test('a chain for another key is refused by the signer', async () => {
    const first = await generateEphemeralSigner();
    const second = await generateEphemeralSigner();
    const leafPem = await issueSigningCertificate(ca, first.csrPem, { subject: 'wf', validityMinutes: 10 });
    assert.throws(() => second.signer.setCertificateChain([leafPem]), /issued signing certificate is for another key/);
  });

  test('a CSR whose signature does not verify is refused', async () => {
    const { csrPem } = await generateEphemeralSigner();
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0x01; // inside the signature
    const broken = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await assert.rejects(issueSigningCertificate(ca, broken, { subject: 'wf', validityMinutes: 10 }), {
      code: 'CSR_INVALID',
    });
    await assert.rejects(issueSigningCertificate(ca, 'garbage', { subject: 'wf', validityMinutes: 10 }), {
      code: 'CSR_INVALID',
    });
  });
});
