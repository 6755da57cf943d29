import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ChainloopError } from '../errors';

// Ed25519 OID 1.3.101.112 and the PKCS#8 v1 prefix for a 32-byte seed (RFC 8410 §7).
const ED25519_OID = Buffer.from('06032b6570', 'hex');
const ED25519_V1_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SEED_MARKER = Buffer.from('04220420', 'hex');

/**
 * PKCS#8 v2 Ed25519 (version 1 plus the [1] public key, as sigstore-rs writes) does not load on OpenSSL 3.0.
 * The seed is all we need: rebuild the v1 structure around it. Hand-written because it is two byte patterns.
 */
function ed25519V2ToV1(der: Buffer): Buffer | undefined {
  if (der.indexOf(ED25519_OID) < 0) return undefined;
  const marker = der.indexOf(ED25519_SEED_MARKER);
  if (marker < 0 || marker + ED25519_SEED_MARKER.length + 32 > der.length) return undefined;
  const seed = der.subarray(marker + ED25519_SEED_MARKER.length, marker + ED25519_SEED_MARKER.length + 32);
  return Buffer.concat([ED25519_V1_PREFIX, seed]);
}

function loadsAs(der: Buffer, type: 'sec1' | 'pkcs1'): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type });
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads the decrypted plaintext of a cosign key. Like cosign (x509.ParsePKCS8PrivateKey) only PKCS#8 is accepted;
 * SEC1 and PKCS#1 are refused with a message saying how to fix the key.
 */
export function importPkcs8PrivateKey(der: Buffer, what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    const rebuilt = ed25519V2ToV1(der);
    if (rebuilt) {
      try {
        return createPrivateKey({ key: rebuilt, format: 'der', type: 'pkcs8' });
      } catch {
        // fall through to the generic error
      }
    }
  }
  if (loadsAs(der, 'sec1')) {
    throw new ChainloopError(
      'SIGNING_KEY_NOT_PKCS8',
      `${what}: the decrypted key is a SEC1 "EC PRIVATE KEY", not PKCS#8 as cosign requires; re-import it with cosign import-key-pair`,
    );
  }
  if (loadsAs(der, 'pkcs1')) {
    throw new ChainloopError(
      'SIGNING_KEY_NOT_PKCS8',
      `${what}: the decrypted key is a PKCS#1 "RSA PRIVATE KEY", not PKCS#8 as cosign requires; re-import it with cosign import-key-pair`,
    );
  }
  throw new ChainloopError(
    'SIGNING_KEY_NOT_PKCS8',
    `${what}: the decrypted key is not a PKCS#8 private key cosign could use; re-create it with chainloop keys generate`,
  );
}
