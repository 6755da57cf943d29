import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ChainloopError } from '../errors';
import { decodePemBlocks } from './pem';

/** base64(sha256(SPKI DER)): what cosign and sigstore-go put in a bundle's `publicKey.hint`. */
export function publicKeyHint(key: KeyObject): string {
  const spki = publicKeyOf(key).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

export function publicKeyPemOf(key: KeyObject): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** A verifier's public key: SPKI `PUBLIC KEY` PEM (what cosign.pub holds) or PKCS#1 `RSA PUBLIC KEY`. */
export function importPublicKeyPem(text: string, what: string): KeyObject {
  if (text.trim() === '') {
    throw new ChainloopError('PUBLIC_KEY_INVALID', `${what} is empty; pass a PEM public key such as cosign.pub`);
  }
  const [block] = decodePemBlocks(text, what);
  if (!block) {
    throw new ChainloopError('PUBLIC_KEY_INVALID', `${what} is not PEM; pass a PEM public key such as cosign.pub`);
  }
  if (block.label !== 'PUBLIC KEY' && block.label !== 'RSA PUBLIC KEY') {
    const hint = block.label.includes('PRIVATE KEY')
      ? 'that is a private key; pass the public key (e.g. cosign.pub)'
      : block.label === 'CERTIFICATE'
        ? 'that is a certificate; use --cert instead'
        : 'pass a PEM public key such as cosign.pub';
    throw new ChainloopError('PUBLIC_KEY_INVALID', `${what}: PEM label "${block.label}" is not a public key; ${hint}`);
  }
  try {
    return createPublicKey({ key: block.der, format: 'der', type: block.label === 'PUBLIC KEY' ? 'spki' : 'pkcs1' });
  } catch {
    throw new ChainloopError('PUBLIC_KEY_INVALID', `${what}: the PEM does not hold a valid public key`);
  }
}
