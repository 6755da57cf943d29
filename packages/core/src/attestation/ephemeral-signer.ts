import { createPrivateKey, randomUUID, webcrypto, X509Certificate } from 'node:crypto';
import { ChainloopError } from '../errors';
import { KeySigner } from './key-signer';
import { publicKeyPemOf } from './public-key';
import { loadX509Library, type WebCryptoKeyPair } from './x509-library';

/** A keyless signer: a P-256 key that lives only in memory, certified later by the control plane's CA. */
export class EphemeralSigner extends KeySigner {
  /** Accepts the issued chain (leaf first); the leaf must certify this signer's key. */
  setCertificateChain(pems: string[]): void {
    const [leafPem] = pems;
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(leafPem ?? '');
    } catch {
      throw new ChainloopError(
        'SIGNING_CERTIFICATE_INVALID',
        'the issued signing certificate is not a PEM certificate',
      );
    }
    if (publicKeyPemOf(leaf.publicKey) !== this.publicKeyPem) {
      throw new ChainloopError(
        'SIGNING_CERTIFICATE_INVALID',
        'the issued signing certificate is for another key; request a new one with this CSR',
      );
    }
    this.certificateChainPem = [...pems];
  }
}

/** An ephemeral P-256 signer and a CSR for it (CN = random UUID, as Chainloop's keyless flow sends). */
export async function generateEphemeralSigner(): Promise<{ signer: EphemeralSigner; csrPem: string }> {
  const x509 = await loadX509Library();
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as WebCryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [randomUUID()] }],
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const signer = new EphemeralSigner(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), 'ephemeral key');
  pkcs8.fill(0);
  return { signer, csrPem: csr.toString('pem') };
}
