import type { KeyObject } from 'node:crypto';
import { ChainloopError } from '../errors';
import { decryptCosignPrivateKey, parseCosignPrivateKeyPem } from './cosign-key';
import { readKeyReference } from './key-ref';
import { importPkcs8PrivateKey } from './pkcs8';
import { publicKeyHint, publicKeyPemOf } from './public-key';
import { type SignatureAlgorithm, signatureAlgorithmFor, signWithKey } from './signature-algorithm';
import type { Signer } from './signer';
import {
  readSigningPassword,
  SIGNING_PASSWORD_ENV,
  type SigningPasswordOptions,
  signingPasswordMissing,
} from './signing-password';

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
  /** When undefined, resolved with readSigningPassword(ref): CHAINLOOP_SIGNING_PASSWORD, TTY prompt, stdin. */
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
  const pkcs8 =
    options.password !== undefined
      ? await decryptCosignPrivateKey(text, options.password, what)
      : await decryptWithResolvedPassword(text, ref, what, options);
  try {
    return new KeySigner(importPkcs8PrivateKey(pkcs8, what), what);
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Decrypts with the password from CHAINLOOP_SIGNING_PASSWORD, the prompt or stdin. With none set, the key may still
 * have an empty password (cosign reads nothing piped as ""): tried once, and if it does not open, the error says the
 * password is missing rather than wrong. An explicitly empty variable that does not open the key says so.
 */
async function decryptWithResolvedPassword(
  text: string,
  ref: string,
  what: string,
  options: LoadSigningKeyOptions,
): Promise<Buffer> {
  const { password, source } = await readSigningPassword(ref, { env: options.env, stdin: options.stdin });
  try {
    return await decryptCosignPrivateKey(text, password, what);
  } catch (error) {
    if ((error as ChainloopError).code !== 'SIGNING_KEY_WRONG_PASSWORD') throw error;
    if (source === 'none') throw signingPasswordMissing(what);
    if (source === 'env' && password === '') {
      throw new ChainloopError(
        'SIGNING_KEY_WRONG_PASSWORD',
        `wrong password for ${what}: ${SIGNING_PASSWORD_ENV} is set but empty; set it to the key's password`,
      );
    }
    throw error;
  }
}
