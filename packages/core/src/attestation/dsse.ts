import { ChainloopError } from '../errors';
import { decodeBase64Strict } from './base64';

/** DSSE envelope JSON (secure-systems-lab/dsse envelope.md). */
export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the exact payload bytes. */
  payload: string;
  signatures: Array<{ keyid?: string; sig: string }>;
}

/**
 * DSSE v1 pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes as
 * ASCII decimal. The signature covers these bytes, never the base64 text.
 */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** An envelope with one signature and `keyid: ""` (what cosign and Chainloop emit; a non-empty keyid breaks Go verifiers). */
export function createEnvelope(payloadType: string, payload: Buffer, signature: Buffer): DsseEnvelope {
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: '', sig: signature.toString('base64') }],
  };
}

/** A parsed envelope with decoded payload bytes; signatures stay as text (bundles may need a second decode). */
export interface DecodedEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string; sig: string }>;
}

/** Checks the required envelope fields and decodes the payload (standard or URL-safe base64). */
export function decodeEnvelope(value: unknown, what = 'DSSE envelope'): DecodedEnvelope {
  const envelope = value as Partial<DsseEnvelope> | null;
  if (typeof envelope !== 'object' || envelope === null) {
    throw new ChainloopError('ENVELOPE_INVALID', `${what} is not a JSON object`);
  }
  if (typeof envelope.payloadType !== 'string') {
    throw new ChainloopError('ENVELOPE_INVALID', `${what}: "payloadType" is missing`);
  }
  if (typeof envelope.payload !== 'string') {
    throw new ChainloopError('ENVELOPE_INVALID', `${what}: "payload" is missing`);
  }
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0) {
    throw new ChainloopError('ENVELOPE_INVALID', `${what}: "signatures" is missing or empty; the envelope is unsigned`);
  }
  const signatures = envelope.signatures.map((signature, index) => {
    if (typeof signature?.sig !== 'string' || signature.sig === '') {
      throw new ChainloopError('ENVELOPE_INVALID', `${what}: signatures[${index}].sig is missing`);
    }
    return { keyid: typeof signature.keyid === 'string' ? signature.keyid : '', sig: signature.sig };
  });
  return {
    payloadType: envelope.payloadType,
    payload: decodeBase64Strict(envelope.payload, `${what}: "payload"`),
    signatures,
  };
}
