import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { ChainloopError } from '../errors';
import { loadX509Library, type WebCryptoKeyPair } from './x509-library';

/** A certificate authority for keyless signing: its unencrypted PKCS#8 key and self-signed certificate. */
export interface CertificateAuthority {
  keyPem: string;
  certificatePem: string;
}

const CA_VALIDITY_YEARS = 10;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive INTEGER
  return bytes.toString('hex');
}

/** A new P-256 CA (self-signed, 10 years), e.g. for a control plane that issues keyless signing certificates. */
export async function createCertificateAuthority(options: {
  commonName: string;
  now?: Date;
}): Promise<CertificateAuthority> {
  const x509 = await loadX509Library();
  const keys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as WebCryptoKeyPair;
  const notBefore = options.now ?? new Date();
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [options.commonName] }],
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    keyPem: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    certificatePem: certificate.toString('pem'),
  };
}

/** The CA key as a WebCrypto signing key and the matching signature algorithm (EC P-256/P-384 or RSA). */
async function importCaSigningKey(keyPem: string) {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new ChainloopError('CA_KEY_INVALID', 'CA key is not a readable PEM private key; check the CA configuration');
  }
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    const hash = curve === 'P-384' ? 'SHA-384' : 'SHA-256';
    const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve }, false, [
      'sign',
    ]);
    return { signingKey, signingAlgorithm: { name: 'ECDSA', hash } };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
    return { signingKey, signingAlgorithm: algorithm };
  }
  throw new ChainloopError('CA_KEY_INVALID', `CA key type ${key.asymmetricKeyType} is not supported (use EC or RSA)`);
}

/**
 * Issues a short-lived code-signing leaf for a keyless signer's CSR. The CSR signature (proof the requester holds
 * the key) is checked; the subject is ours (`O=<subject>`, e.g. the workflow id), never the requester's.
 */
export async function issueSigningCertificate(
  ca: CertificateAuthority,
  csrPem: string,
  options: { subject: string; validityMinutes: number; now?: Date },
): Promise<string> {
  const x509 = await loadX509Library();
  let csr: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new ChainloopError('CSR_INVALID', 'certificate request is not a PEM PKCS#10 CSR; send the CSR the CLI made');
  }
  if (!(await csr.verify())) {
    throw new ChainloopError('CSR_INVALID', 'certificate request signature does not verify; send the CSR the CLI made');
  }
  if (!(options.validityMinutes > 0 && options.validityMinutes <= 24 * 60)) {
    throw new ChainloopError('CERTIFICATE_VALIDITY_INVALID', 'validityMinutes must be between 1 and 1440');
  }
  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const { signingKey, signingAlgorithm } = await importCaSigningKey(ca.keyPem);
  const notBefore = options.now ?? new Date();
  const notAfter = new Date(notBefore.getTime() + options.validityMinutes * 60_000);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ O: [options.subject] }],
    issuer: caCertificate.subject,
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate.publicKey),
    ],
  });
  return leaf.toString('pem');
}
