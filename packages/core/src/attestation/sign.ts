import { createCertificateBundle, createKeyBundle, type SigstoreBundle, serializeBundle } from './bundle';
import { createEnvelope, type DsseEnvelope, preAuthEncoding } from './dsse';
import { decodePemBlocks } from './pem';
import type { Signer } from './signer';
import { IN_TOTO_PAYLOAD_TYPE, type InTotoStatement, validateStatement } from './statement';

export interface SignedStatement {
  envelope: DsseEnvelope;
  bundle: SigstoreBundle;
  /** The bundle as stored and printed (2-space JSON plus newline). */
  bundleJson: string;
}

/**
 * Signs an in-toto statement: payload = the UTF-8 bytes of JSON.stringify(statement), signature over the DSSE PAE,
 * envelope with `keyid: ""`, wrapped in a v0.3 bundle (public key hint, or the leaf certificate when keyless).
 */
export async function signStatement(statement: InTotoStatement, signer: Signer): Promise<SignedStatement> {
  validateStatement(statement);
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const signature = await signer.sign(preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload));
  const envelope = createEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, signature);
  const leafPem = signer.certificateChainPem?.[0];
  const bundle = leafPem
    ? createCertificateBundle(envelope, decodePemBlocks(leafPem, 'signing certificate')[0].der)
    : createKeyBundle(envelope, signer.keyHint);
  return { envelope, bundle, bundleJson: serializeBundle(bundle) };
}
