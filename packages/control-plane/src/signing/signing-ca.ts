import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import { type CertificateAuthority, createCertificateAuthority } from '@chainloop-ts/core/attestation';

/** The CA that certifies keyless signers: the issuing certificate and key, and the chain verifiers trust. */
export interface SigningCa {
  /** What issues leaves: the issuing certificate (first of the chain) and its key. */
  authority: CertificateAuthority;
  /** The issuing certificate, then any further certificates given with it (intermediates, root), as PEM. */
  chainPem: string[];
  /** The parsed issuing certificate, for checking that a leaf came from us. */
  certificate: X509Certificate;
  /** Where it came from, for the start-up log line. */
  origin: { kind: 'generated' | 'data-dir' | 'files'; certPath: string; keyPath: string };
}

export const SIGNING_CA_DIR = 'signing-ca';
export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca.key';
const CA_COMMON_NAME = 'Chainloop TS control plane signing CA';

/**
 * The signing CA: loaded from `--ca-cert`/`--ca-key` when given, else from DATA_DIR/signing-ca/, created there on
 * first start (key mode 0600). Creation is atomic across processes sharing the data dir: both files are written into
 * a private directory that is then renamed into place, so the pair appears complete or not at all, and a process
 * that loses the race uses the winner's CA.
 */
export async function loadSigningCa(
  dataDir: string,
  files: { certPath?: string; keyPath?: string } = {},
): Promise<SigningCa> {
  if (files.certPath || files.keyPath) {
    if (!files.certPath || !files.keyPath) {
      throw new ChainloopError(
        'CA_CONFIG_INCOMPLETE',
        `signing CA: ${files.certPath ? '--ca-key' : '--ca-cert'} is missing; pass both --ca-cert FILE and --ca-key FILE, or neither to use the data directory's CA`,
      );
    }
    return readSigningCa(files.certPath, files.keyPath, 'files');
  }
  const dir = join(dataDir, SIGNING_CA_DIR);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  if (existsSync(dir)) return readSigningCa(certPath, keyPath, 'data-dir');

  const created = await createCertificateAuthority({ commonName: CA_COMMON_NAME });
  const aside = join(dataDir, `.${SIGNING_CA_DIR}.${process.pid}.${randomBytes(4).toString('hex')}`);
  mkdirSync(aside, { mode: 0o700 });
  try {
    writeFileSync(join(aside, CA_KEY_FILE), `${created.keyPem.trimEnd()}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(join(aside, CA_CERT_FILE), `${created.certificatePem.trimEnd()}\n`, { mode: 0o644, flag: 'wx' });
    renameSync(aside, dir);
    return readSigningCa(certPath, keyPath, 'generated');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another process renamed its CA into place first: use that one.
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    return readSigningCa(certPath, keyPath, 'data-dir');
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}

function readPem(path: string, what: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : `cannot be read (${code})`;
    throw new ChainloopError('CA_UNREADABLE', `signing CA ${what} ${path} ${reason}: check ${flag}`);
  }
}

function readSigningCa(certPath: string, keyPath: string, kind: SigningCa['origin']['kind']): SigningCa {
  const certFlag = kind === 'files' ? '--ca-cert' : `the data directory (delete ${SIGNING_CA_DIR}/ to make a new CA)`;
  const keyFlag = kind === 'files' ? '--ca-key' : certFlag;
  const certificateText = readPem(certPath, 'certificate', certFlag);
  const keyPem = readPem(keyPath, 'key', keyFlag);
  const blocks = certificateText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certificates = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ChainloopError(
        'CA_INVALID',
        `signing CA certificate ${certPath} holds a block that is not an X.509 certificate: check ${certFlag}`,
      );
    }
  });
  const [issuer] = certificates;
  if (!issuer) {
    throw new ChainloopError(
      'CA_INVALID',
      `signing CA certificate ${certPath} holds no PEM CERTIFICATE block: check ${certFlag}`,
    );
  }
  if (!issuer.ca) {
    throw new ChainloopError(
      'CA_INVALID',
      `signing CA certificate ${certPath} is not a CA certificate (basicConstraints CA:TRUE): pass a CA with ${certFlag}`,
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new ChainloopError(
      'CA_INVALID',
      `signing CA key ${keyPath} is not an unencrypted PEM private key: check ${keyFlag}`,
    );
  }
  if (!issuer.checkPrivateKey(key)) {
    throw new ChainloopError(
      'CA_INVALID',
      `signing CA key ${keyPath} does not belong to the certificate ${certPath}: pass the matching pair`,
    );
  }
  const chainPem = certificates.map((certificate) => certificate.toString());
  return {
    authority: { keyPem, certificatePem: chainPem[0] },
    chainPem,
    certificate: issuer,
    origin: { kind, certPath, keyPath },
  };
}
