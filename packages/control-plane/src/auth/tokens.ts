import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'admin' | 'robot';

/** Recognisable prefixes let secret scanners and people tell our tokens apart; 32 random bytes make them unguessable. */
export function generateToken(kind: TokenKind): string {
  return `cl_${kind}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored and compared only as sha256 hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
