import { createHash } from 'node:crypto';

/**
 * The DSSE payload (the signed statement bytes) of a parsed Sigstore bundle (`dsseEnvelope.payload`) or bare DSSE
 * envelope (`payload`); undefined when there is none. Node's base64 decoder reads both alphabets DSSE allows.
 */
export function statementPayloadOf(parsed: unknown): Buffer | undefined {
  const envelope = isObject(parsed) && isObject(parsed.dsseEnvelope) ? parsed.dsseEnvelope : parsed;
  if (!isObject(envelope) || typeof envelope.payload !== 'string') return undefined;
  return Buffer.from(envelope.payload, 'base64');
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
