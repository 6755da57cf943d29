import { X509Certificate } from 'node:crypto';
import { ChainloopError } from '../errors';
import { decodePemBlocks } from './pem';

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';

function failed(reason: string): never {
  throw new ChainloopError('VERIFICATION_FAILED', `attestation verification failed: ${reason}`);
}

/** Every CERTIFICATE block of a PEM text (a leaf, or a CA chain in any order). */
export function parseCertificatesPem(text: string, what: string): X509Certificate[] {
  const blocks = decodePemBlocks(text, what).filter((block) => block.label === 'CERTIFICATE');
  if (blocks.length === 0) {
    throw new ChainloopError('CERTIFICATE_INVALID', `${what} holds no "CERTIFICATE" PEM block; pass a PEM certificate`);
  }
  return blocks.map((block) => {
    try {
      return new X509Certificate(block.der);
    } catch {
      throw new ChainloopError('CERTIFICATE_INVALID', `${what}: a CERTIFICATE block is not a valid X.509 certificate`);
    }
  });
}

export function certificateValidity(certificate: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}

function quoteName(name: string): string {
  return `"${name.replace(/\n/g, ', ')}"`;
}

function describe(certificate: X509Certificate): string {
  return quoteName(certificate.subject);
}

function checkValidAt(certificate: X509Certificate, at: Date, role: string): void {
  const { notBefore, notAfter } = certificateValidity(certificate);
  if (at < notBefore || at > notAfter) {
    failed(
      `${role} certificate ${describe(certificate)} is not valid at ${at.toISOString()} (valid ${notBefore.toISOString()} to ${notAfter.toISOString()}); pass the signing time with --at`,
    );
  }
}

/** A signing leaf must be an end-entity certificate allowed to sign code (what keyless CAs issue). */
export function checkSigningLeaf(leaf: X509Certificate, at: Date): void {
  if (leaf.ca) failed(`certificate ${describe(leaf)} is a CA certificate, not a signing certificate`);
  const eku = leaf.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(CODE_SIGNING_EKU)) {
    failed(`certificate ${describe(leaf)} is not issued for code signing (extended key usage)`);
  }
  checkValidAt(leaf, at, 'signing');
}

/**
 * Checks that `leaf` chains to the trusted certificates at time `at`: each step is issued and signed by a CA
 * certificate from `trusted`, valid at `at`. The given certificates are the trust anchors, so the walk ends at a
 * self-signed root or at the last trusted certificate that has no issuer in the set.
 */
export function verifyCertificateChain(leaf: X509Certificate, trusted: X509Certificate[], at: Date): void {
  checkSigningLeaf(leaf, at);
  let current = leaf;
  const used = new Set<X509Certificate>();
  for (;;) {
    const issuer = trusted.find(
      (candidate) => !used.has(candidate) && current.checkIssued(candidate) && current.verify(candidate.publicKey),
    );
    if (!issuer) {
      if (current === leaf) {
        failed(
          `certificate ${describe(leaf)} was not issued by the given CA chain (its issuer is ${quoteName(leaf.issuer)}); pass that CA with --cert-chain`,
        );
      }
      return;
    }
    if (!issuer.ca) failed(`issuer ${describe(issuer)} is not a CA certificate`);
    checkValidAt(issuer, at, 'CA');
    used.add(issuer);
    const selfSigned = issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey);
    if (selfSigned) return;
    current = issuer;
  }
}
