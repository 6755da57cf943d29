// Paths of the interop vectors (fixtures/vectors, copied from the shared research; origin in its README).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptedKeyData } from '../../src/attestation/cosign-key';

export const VECTORS = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');

export function vectorPath(...parts: string[]): string {
  return join(VECTORS, ...parts);
}

export function readVector(...parts: string[]): string {
  return readFileSync(vectorPath(...parts), 'utf8');
}

/** Rewrites the JSON inside a cosign key PEM (for bad-input cases built from a real key). */
export function editCosignKey(pem: string, edit: (json: EncryptedKeyData) => void, label?: string): string {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) throw new Error('not a PEM');
  const json = JSON.parse(Buffer.from(match[2].replace(/\s+/g, ''), 'base64').toString('utf8'));
  edit(json);
  const body = Buffer.from(JSON.stringify(json))
    .toString('base64')
    .match(/.{1,64}/g)
    ?.join('\n');
  const outLabel = label ?? match[1];
  return `-----BEGIN ${outLabel}-----\n${body}\n-----END ${outLabel}-----\n`;
}

/** The P-256 key generated for the suite (signs everything in envelopes/generated). */
export const GENERATED_KEY = { file: 'generated__p256_N65536', password: 'correct horse battery staple' };
