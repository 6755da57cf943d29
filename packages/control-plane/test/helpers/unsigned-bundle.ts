import { createHash } from 'node:crypto';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** An unsigned bundle (accepted while the workflow has no registered keys) whose statement names `materialCount` digests. */
export function bundleWith(materialCount: number, marked = false): string {
  const materials = Array.from({ length: materialCount }, (_, i) => ({
    digest: { sha256: hex(`material ${i}`) },
    ...(marked ? { annotations: { 'chainloop.material.cas': true, 'chainloop.material.name': `m${i}` } } : {}),
  }));
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'chainloop.workflow.big', digest: { sha256: hex('subject') } }],
    predicateType: 'chainloop.dev/attestation/v0.2',
    predicate: { materials },
  };
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'unregistered' } },
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [{ keyid: '', sig: 'c2ln' }],
    },
  });
}
