import { type KeyObject, X509Certificate } from 'node:crypto';
import { ChainloopError } from '../errors';
import { decodeBase64Strict, looksLikeBase64Text } from './base64';
import { type BundleSignerMaterial, isSigstoreBundle, readBundle } from './bundle';
import {
  certificateValidity,
  checkSigningLeaf,
  parseCertificatesPem,
  verifyCertificateChain,
} from './certificate-chain';
import { type DecodedEnvelope, decodeEnvelope, preAuthEncoding } from './dsse';
import { importPublicKeyPem } from './public-key';
import { verifyWithKey } from './signature-algorithm';
import { type InTotoStatement, readStatement } from './statement';

/**
 * What a verifier trusts: a public key (cosign.pub), or certificates. With certificates, the signing leaf (from the
 * bundle, or `certificatePem`) must chain to `chainPem` (the CA, e.g. the control plane's) at time `at`; with only
 * `certificatePem`, that leaf itself is trusted (pinned).
 *
 * Time rule (verification at signing time): `at` when given; otherwise the leaf's notBefore, i.e. the moment the
 * short-lived (10-minute) keyless certificate was issued for this signature. Expired CAs and leaves therefore still
 * verify what they signed while valid; pass `at` to check a specific time instead.
 */
export type VerificationTrust = { publicKeyPem: string } | { certificatePem?: string; chainPem?: string; at?: Date };

export interface VerifyOptions {
  /** `algorithm:hex` (e.g. `sha256:…`): one subject must carry this digest (the artifact being checked). */
  subjectDigest?: string;
  /** Several artifacts, each of which must be a subject; `name` (e.g. the file) is how a failure names it. */
  artifacts?: ReadonlyArray<{ name: string; digest: string }>;
}

export interface VerifiedAttestation {
  statement: InTotoStatement;
  /** The exact signed payload bytes (never re-serialised). */
  payload: Buffer;
  predicateType: string;
  subjects: Array<{ name: string; digest: Record<string, string> }>;
  /** How it was verified: with the given key, or with a certificate (its leaf and the time it was checked at). */
  signer:
    | { kind: 'key' }
    | { kind: 'certificate'; subject: string; issuer: string; notBefore: Date; notAfter: Date; verifiedAt: Date };
}

function failed(reason: string): never {
  throw new ChainloopError('VERIFICATION_FAILED', `attestation verification failed: ${reason}`);
}

/** Rewraps format errors of the document as VERIFICATION_FAILED, keeping their one-line reason. */
function asVerificationFailure<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ChainloopError && error.code !== 'VERIFICATION_FAILED') failed(error.message);
    throw error;
  }
}

const IN_TOTO_PAYLOAD_TYPES = /^application\/vnd\.in-toto(\.[A-Za-z0-9._-]+)?\+json$/;

function signatureCandidates(sig: string, fromBundle: boolean): Buffer[] {
  const once = decodeBase64Strict(sig, 'signature');
  // Chainloop < #1832 wrote base64(base64(DER)) into bundles; read it, never write it.
  if (fromBundle && looksLikeBase64Text(once)) return [once, Buffer.from(once.toString('latin1'), 'base64')];
  return [once];
}

async function anySignatureVerifies(envelope: DecodedEnvelope, key: KeyObject, fromBundle: boolean): Promise<boolean> {
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  for (const { sig } of envelope.signatures) {
    for (const candidate of asVerificationFailure(() => signatureCandidates(sig, fromBundle))) {
      if (await verifyWithKey(key, pae, candidate)) return true;
    }
  }
  return false;
}

function bundleLeaf(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    failed('the bundle certificate is not a valid X.509 certificate');
  }
}

function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

function digestMatches(statement: InTotoStatement, expected: string): boolean {
  const separator = expected.indexOf(':');
  if (separator <= 0) {
    throw new ChainloopError('SUBJECT_DIGEST_INVALID', `subject digest "${expected}" must look like sha256:<hex>`);
  }
  const algorithm = expected.slice(0, separator);
  const hex = expected.slice(separator + 1).toLowerCase();
  return statement.subject.some((subject) => subject.digest[algorithm]?.toLowerCase() === hex);
}

/** The key to check the signature with, after the certificate checks when trusting a CA or a pinned leaf. */
function resolveVerificationKey(
  trust: VerificationTrust,
  material: BundleSignerMaterial,
): { key: KeyObject; signer: VerifiedAttestation['signer'] } {
  if ('publicKeyPem' in trust) {
    return { key: importPublicKeyPem(trust.publicKeyPem, 'public key'), signer: { kind: 'key' } };
  }
  const given = trust.certificatePem ? parseCertificatesPem(trust.certificatePem, 'certificate') : [];
  const embedded = material.kind === 'certificate' ? bundleLeaf(material.certificates[0]) : undefined;
  const leaf = embedded ?? given[0];
  if (!leaf) failed('the envelope carries no certificate; pass the signing certificate with --cert');
  if (embedded && given[0] && !sameCertificate(embedded, given[0])) {
    failed('the bundle was signed with a different certificate than the one given with --cert');
  }
  const { notBefore, notAfter } = certificateValidity(leaf);
  const at = trust.at ?? notBefore;
  if (trust.chainPem) {
    verifyCertificateChain(leaf, parseCertificatesPem(trust.chainPem, 'CA chain'), at);
  } else if (given[0]) {
    checkSigningLeaf(leaf, at);
  } else {
    failed('nothing to verify the bundle certificate against; pass the CA with --cert-chain');
  }
  return {
    key: leaf.publicKey,
    signer: { kind: 'certificate', subject: leaf.subject, issuer: leaf.issuer, notBefore, notAfter, verifiedAt: at },
  };
}

/**
 * Verifies a DSSE envelope or a Sigstore bundle (auto-detected) against a public key or a CA chain, then checks the
 * in-toto statement it carries. Throws ChainloopError VERIFICATION_FAILED with the reason.
 */
export async function verifyAttestation(
  document: string | Buffer,
  trust: VerificationTrust,
  options: VerifyOptions = {},
): Promise<VerifiedAttestation> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.toString());
  } catch {
    failed('the document is not JSON; pass a DSSE envelope or a Sigstore bundle');
  }
  const fromBundle = isSigstoreBundle(parsed);
  const { envelope: rawEnvelope, material } = asVerificationFailure(() =>
    fromBundle ? readBundle(parsed) : { envelope: parsed, material: { kind: 'none' as const } },
  );
  const envelope = asVerificationFailure(() => decodeEnvelope(rawEnvelope));
  if (!IN_TOTO_PAYLOAD_TYPES.test(envelope.payloadType)) {
    failed(`payloadType "${envelope.payloadType}" is not an in-toto statement (application/vnd.in-toto+json)`);
  }

  const { key, signer } = resolveVerificationKey(trust, material);

  if (!(await anySignatureVerifies(envelope, key, fromBundle))) {
    failed('the signature does not match (the payload was changed after signing, or it was signed with another key)');
  }

  let statementJson: unknown;
  try {
    statementJson = JSON.parse(envelope.payload.toString('utf8'));
  } catch {
    failed('the signed payload is not JSON');
  }
  const statement = asVerificationFailure(() => readStatement(statementJson));
  if (options.subjectDigest && !digestMatches(statement, options.subjectDigest)) {
    failed(`no subject has digest ${options.subjectDigest}; the attestation is about another artifact`);
  }
  for (const artifact of options.artifacts ?? []) {
    if (!digestMatches(statement, artifact.digest)) {
      failed(
        `${artifact.name} (${artifact.digest}) is not one of its subjects; the attestation is about other artifacts`,
      );
    }
  }
  return {
    statement,
    payload: envelope.payload,
    predicateType: statement.predicateType,
    subjects: statement.subject.map((subject) => ({ name: subject.name ?? '', digest: subject.digest })),
    signer,
  };
}
