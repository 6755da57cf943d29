import { isObject, sha256Digest, statementPayloadOf } from '../intake/statement-payload';

/**
 * Until schema version 4, storing an attestation granted its workflow read access to every `sha256` its statement
 * named, so a statement naming another workflow's blob made that blob readable. Migration 4 removes those grants;
 * this is how they were computed (every 64-hex `sha256` field anywhere in the statement), kept only for it.
 */
export function legacyReferenceGrants(bundle: string): string[] {
  const payload = statementPayload(bundle);
  if (!payload) return [];
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return [];
  }
  const found = new Set<string>();
  collect(statement, found, 0);
  return [...found];
}

/** sha256 of a stored bundle's DSSE payload (its statement), as migration 4 records it for existing attestations. */
export function legacyStatementDigest(bundle: string): string | undefined {
  const payload = statementPayload(bundle);
  return payload && sha256Digest(payload);
}

function statementPayload(bundle: string): Buffer | undefined {
  try {
    return statementPayloadOf(JSON.parse(bundle));
  } catch {
    return undefined;
  }
}

const HEX_64 = /^[a-f0-9]{64}$/;

function collect(value: unknown, found: Set<string>, depth: number): void {
  if (depth > 32) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'sha256' && typeof item === 'string' && HEX_64.test(item)) found.add(`sha256:${item}`);
    else collect(item, found, depth + 1);
  }
}
