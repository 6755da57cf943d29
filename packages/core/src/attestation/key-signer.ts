import type { KeyObject } from 'node:crypto';
import { decryptCosignPrivateKey, parseCosignPrivateKeyPem } from './cosign-key';
import { readKeyReference } from './key-ref';
import { importPkcs8PrivateKey } from './pkcs8';
import { publicKeyHint, publicKeyPemOf } from './public-key';
import { type SignatureAlgorithm, signatureAlgorithmFor, signWithKey } from './signature-algorithm';
import type { Signer } from './signer';
import { resolveSigningPassword, type SigningPasswordOptions } from './signing-password';

/** A Signer over an in-memory private key (a decrypted cosign key, or an ephemeral keyless key). */
export class KeySigner implements Signer {
  readonly publicKeyPem: string;
  readonly keyHint: string;
  readonly algorithm: SignatureAlgorithm;
  certificateChainPem?: string[];
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject, what = 'signing key') {
    this.algorithm = signatureAlgorithmFor(privateKey, what);
    this.#privateKey = privateKey;
    this.publicKeyPem = publicKeyPemOf(privateKey);
    this.keyHint = publicKeyHint(privateKey);
  }

  sign(data: Buffer): Promise<Buffer> {
    return signWithKey(this.#privateKey, this.algorithm, data);
  }

  // The private key stays out of JSON dumps and util.inspect (logs).
  toJSON(): Record<string, unknown> {
    return { algorithm: this.algorithm, keyHint: this.keyHint };
  }
}

export interface LoadSigningKeyOptions {
  /** When undefined, resolved with resolveSigningPassword(ref): CHAINLOOP_SIGNING_PASSWORD, TTY prompt, stdin. */
  password?: string;
  env?: NodeJS.ProcessEnv;
  /** Where a password not given otherwise is read from (default process.stdin); tests pass their own. */
  stdin?: SigningPasswordOptions['stdin'];
}

/**
 * Loads a cosign private key from a file path or `env://VAR` and returns a Signer. The file is checked (label, kdf,
 * cipher, scrypt parameters) before the password is asked for or scrypt runs; the key is decrypted in memory only.
 */
export async function loadSigningKey(ref: string, options: LoadSigningKeyOptions = {}): Promise<Signer> {
  const what = `signing key ${ref}`;
  const text = await readKeyReference(ref, { env: options.env, what: 'signing key' });
  parseCosignPrivateKeyPem(text, what);
  const password = options.password ?? (await resolveSigningPassword(ref, { env: options.env, stdin: options.stdin }));
  const pkcs8 = await decryptCosignPrivateKey(text, password, what);
  try {
    return new KeySigner(importPkcs8PrivateKey(pkcs8, what), what);
  } finally {
    pkcs8.fill(0);
  }
}
