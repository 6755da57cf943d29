import { ChainloopError } from '../errors';

/**
 * Decodes standard or URL-safe base64, with or without padding, refusing anything else. DSSE requires verifiers to
 * accept both alphabets; Node's `Buffer.from(s, 'base64')` silently skips invalid characters, so we check first.
 */
export function decodeBase64Strict(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new ChainloopError('BASE64_INVALID', `${what} is not valid base64`);
  }
  const standard = compact.replace(/-/g, '+').replace(/_/g, '/');
  return Buffer.from(standard, 'base64');
}

/** True when every byte is a base64 character, so the bytes may be base64 text themselves. */
export function looksLikeBase64Text(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.length % 4 !== 0) return false;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(Buffer.from(bytes).toString('latin1'));
}
