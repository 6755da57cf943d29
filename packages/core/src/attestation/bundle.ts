import { ChainloopError } from '../errors';
import type { DsseEnvelope } from './dsse';

/** What we write (cosign / sigstore-go spelling). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Older spellings still read (Chainloop writes the `;version=0.3` form). */
const READABLE_MEDIA_TYPES = new Set([
  BUNDLE_V03_MEDIA_TYPE,
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
]);

/** Sigstore bundle JSON (protobuf-specs sigstore_bundle.proto), DSSE content only. */
export interface SigstoreBundle {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint: string };
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: Array<{ rawBytes: string }> };
    tlogEntries?: unknown[];
    timestampVerificationData?: unknown;
  };
  dsseEnvelope: {
    payload: string;
    payloadType: string;
    signatures: Array<{ sig: string; keyid?: string }>;
  };
}

function bundleEnvelope(envelope: DsseEnvelope): SigstoreBundle['dsseEnvelope'] {
  return {
    payload: envelope.payload,
    payloadType: envelope.payloadType,
    signatures: envelope.signatures.map((signature) => ({ sig: signature.sig, keyid: signature.keyid ?? '' })),
  };
}

/** v0.3 bundle for a key-signed envelope: `publicKey.hint` = base64(sha256(SPKI DER)), signature base64 once. */
export function createKeyBundle(envelope: DsseEnvelope, keyHint: string): SigstoreBundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint } },
    dsseEnvelope: bundleEnvelope(envelope),
  };
}

/** v0.3 bundle for a certificate-signed (keyless) envelope: the leaf certificate DER only, as v0.3 requires. */
export function createCertificateBundle(envelope: DsseEnvelope, leafDer: Uint8Array): SigstoreBundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { certificate: { rawBytes: Buffer.from(leafDer).toString('base64') } },
    dsseEnvelope: bundleEnvelope(envelope),
  };
}

/** The bytes we store and print: 2-space indented JSON and a newline. */
export function serializeBundle(bundle: SigstoreBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/** What a bundle says about who signed it. */
export type BundleSignerMaterial =
  | { kind: 'publicKey'; hint: string }
  /** DER certificates, leaf first (one for `certificate`, possibly more for v0.1/0.2 `x509CertificateChain`). */
  | { kind: 'certificate'; certificates: Buffer[] }
  | { kind: 'none' };

export function isSigstoreBundle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'mediaType' in value && 'dsseEnvelope' in value;
}

/** Checks the mediaType and DSSE content, and returns the envelope and the signer material. */
export function readBundle(
  value: unknown,
  what = 'Sigstore bundle',
): {
  envelope: DsseEnvelope;
  material: BundleSignerMaterial;
} {
  const bundle = value as Partial<SigstoreBundle>;
  if (typeof bundle.mediaType !== 'string' || !READABLE_MEDIA_TYPES.has(bundle.mediaType)) {
    throw new ChainloopError(
      'BUNDLE_INVALID',
      `${what}: mediaType "${String(bundle.mediaType)}" is not a Sigstore bundle v0.1–v0.3`,
    );
  }
  if (typeof bundle.dsseEnvelope !== 'object' || bundle.dsseEnvelope === null) {
    throw new ChainloopError(
      'BUNDLE_INVALID',
      `${what}: no dsseEnvelope (message-signature bundles are not attestations)`,
    );
  }
  const material = bundle.verificationMaterial ?? {};
  let signer: BundleSignerMaterial = { kind: 'none' };
  if (material.certificate?.rawBytes) {
    signer = { kind: 'certificate', certificates: [Buffer.from(material.certificate.rawBytes, 'base64')] };
  } else if (material.x509CertificateChain?.certificates?.length) {
    signer = {
      kind: 'certificate',
      certificates: material.x509CertificateChain.certificates.map((c) => Buffer.from(c.rawBytes, 'base64')),
    };
  } else if (typeof material.publicKey?.hint === 'string') {
    signer = { kind: 'publicKey', hint: material.publicKey.hint };
  }
  const { payload, payloadType, signatures } = bundle.dsseEnvelope;
  return { envelope: { payload, payloadType, signatures } as DsseEnvelope, material: signer };
}
