/**
 * The CAS digests an attestation points at (materials and subjects), so robots of its workflow may download them.
 * Accepts a Sigstore bundle (`dsseEnvelope.payload`) or a bare DSSE envelope (`payload`); anything else yields none.
 */
export function referencedDigests(bundle: unknown): string[] {
  const envelope = isObject(bundle) && isObject(bundle.dsseEnvelope) ? bundle.dsseEnvelope : bundle;
  if (!isObject(envelope) || typeof envelope.payload !== 'string') return [];
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  } catch {
    return [];
  }
  const found = new Set<string>();
  collect(statement, found, 0);
  return [...found];
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
