import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { ChainloopError } from '../errors';

/**
 * How cosign signs with each key type (sigstore/sigstore signature.LoadSignerVerifier defaults): ECDSA with the
 * curve's hash (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512) and ASN.1 DER signatures, RSA PKCS#1 v1.5 with
 * SHA-256, Ed25519 as Ed25519ph (SHA-512 prehash).
 */
export type SignatureAlgorithm =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'rsa-pkcs1v15-sha256'
  | 'ed25519ph';

const EC_CURVES: Record<string, { algorithm: SignatureAlgorithm; hash: string }> = {
  prime256v1: { algorithm: 'ecdsa-p256-sha256', hash: 'sha256' },
  secp384r1: { algorithm: 'ecdsa-p384-sha384', hash: 'sha384' },
  secp521r1: { algorithm: 'ecdsa-p521-sha512', hash: 'sha512' },
};

/** The algorithm cosign uses for this key; refuses key types and sizes cosign refuses. */
export function signatureAlgorithmFor(key: KeyObject, what: string): SignatureAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = EC_CURVES[details.namedCurve ?? ''];
      if (!curve) {
        throw new ChainloopError(
          'SIGNING_KEY_UNSUPPORTED',
          `${what}: elliptic curve ${details.namedCurve ?? 'unknown'} is not supported (use P-256, P-384 or P-521)`,
        );
      }
      return curve.algorithm;
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048 || bits > 4096) {
        throw new ChainloopError(
          'SIGNING_KEY_UNSUPPORTED',
          `${what}: RSA key size ${bits} is not supported (use 2048 to 4096 bits)`,
        );
      }
      return 'rsa-pkcs1v15-sha256';
    }
    case 'ed25519':
      return 'ed25519ph';
    default:
      throw new ChainloopError(
        'SIGNING_KEY_UNSUPPORTED',
        `${what}: key type ${key.asymmetricKeyType ?? 'unknown'} is not supported (use ECDSA, RSA or Ed25519)`,
      );
  }
}

function hashFor(algorithm: SignatureAlgorithm): string {
  if (algorithm === 'ecdsa-p384-sha384') return 'sha384';
  if (algorithm === 'ecdsa-p521-sha512') return 'sha512';
  return 'sha256';
}

function rawEd25519(key: KeyObject, field: 'd' | 'x'): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(String(jwk[field]), 'base64url');
}

/** Signs `data` the way cosign would with this key. */
export async function signWithKey(key: KeyObject, algorithm: SignatureAlgorithm, data: Buffer): Promise<Buffer> {
  if (algorithm === 'ed25519ph') {
    // Node 20 (OpenSSL 3.0) has no Ed25519ph; @noble/curves does, loaded only when an Ed25519 key is used.
    const { ed25519ph } = await import('@noble/curves/ed25519');
    return Buffer.from(ed25519ph.sign(data, rawEd25519(key, 'd')));
  }
  return sign(hashFor(algorithm), data, { key, dsaEncoding: 'der' });
}

/** Verifies a signature made by `signWithKey` (or by cosign / Chainloop with the same key). */
export async function verifyWithKey(publicKey: KeyObject, data: Buffer, signature: Buffer): Promise<boolean> {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  const algorithm = signatureAlgorithmFor(key, 'public key');
  if (algorithm === 'ed25519ph') {
    const { ed25519ph } = await import('@noble/curves/ed25519');
    try {
      if (ed25519ph.verify(signature, data, rawEd25519(key, 'x'))) return true;
    } catch {
      // malformed signature: try pure Ed25519 below, then report false
    }
    // cosign verifies plain Ed25519 too when the signer did not prehash.
    return verify(null, data, key, signature);
  }
  try {
    return verify(hashFor(algorithm), data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
