import { randomBytes, scrypt } from 'node:crypto';
import nacl from 'tweetnacl';
import { ChainloopError } from '../errors';
import { decodePemBlocks, encodePem } from './pem';

/** The two labels cosign writes: SIGSTORE since cosign v2.0.1, COSIGN before. Both are still read everywhere. */
export const COSIGN_PRIVATE_KEY_LABELS = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'] as const;
export const SIGSTORE_PRIVATE_KEY_LABEL = COSIGN_PRIVATE_KEY_LABELS[0];

/** scrypt work factors go-securesystemslib accepts (Legacy, Standard, OWASP), always with r=8, p=1. */
export const SUPPORTED_KDF_N = [32768, 65536, 131072] as const;
export type KdfN = (typeof SUPPORTED_KDF_N)[number];
/** What cosign >= 2.2.0 writes; cosign < 2.2.0 can only read 32768. */
export const DEFAULT_KDF_N: KdfN = 65536;

/** go-securesystemslib `encrypted.data` JSON, the body of a cosign key PEM (field order as Go writes it). */
export interface EncryptedKeyData {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

const SECRETBOX_NONCE_BYTES = 24;
const KEY_BYTES = 32;

function fail(code: string, message: string): never {
  throw new ChainloopError(code, message);
}

function decodeField(value: unknown, field: string, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    fail('SIGNING_KEY_MALFORMED', `${what}: field "${field}" is missing or not base64; the key file is corrupted`);
  }
  return Buffer.from(value, 'base64');
}

/**
 * Checks the kdf/cipher names and scrypt parameters BEFORE any work, so a hostile file cannot make us burn memory
 * (N=2^20 would need 1 GiB), then returns salt, nonce and ciphertext.
 */
function checkEncryptedKeyData(value: unknown, what: string) {
  const data = value as Partial<EncryptedKeyData> | null;
  if (typeof data !== 'object' || data === null || typeof data.kdf !== 'object' || typeof data.cipher !== 'object') {
    fail('SIGNING_KEY_MALFORMED', `${what}: the key body is not cosign's encrypted JSON (kdf, cipher, ciphertext)`);
  }
  const kdf = data.kdf ?? ({} as EncryptedKeyData['kdf']);
  const cipher = data.cipher ?? ({} as EncryptedKeyData['cipher']);
  if (kdf.name !== 'scrypt') {
    fail(
      'SIGNING_KEY_UNSUPPORTED',
      `${what}: unsupported key derivation "${String(kdf.name)}" (only "scrypt" is supported); re-create the key with cosign or chainloop keys generate`,
    );
  }
  if (cipher.name !== 'nacl/secretbox') {
    fail(
      'SIGNING_KEY_UNSUPPORTED',
      `${what}: unsupported cipher "${String(cipher.name)}" (only "nacl/secretbox" is supported); re-create the key with cosign or chainloop keys generate`,
    );
  }
  const { N, r, p } = kdf.params ?? ({} as EncryptedKeyData['kdf']['params']);
  if (!SUPPORTED_KDF_N.includes(N as KdfN) || r !== 8 || p !== 1) {
    fail(
      'SIGNING_KEY_UNSUPPORTED',
      `${what}: unsupported scrypt parameters N=${String(N)} r=${String(r)} p=${String(p)} (accepted: N 32768, 65536 or 131072 with r=8, p=1); re-create the key with cosign or chainloop keys generate`,
    );
  }
  const salt = decodeField(kdf.salt, 'kdf.salt', what);
  const nonce = decodeField(cipher.nonce, 'cipher.nonce', what);
  const ciphertext = decodeField(data.ciphertext, 'ciphertext', what);
  if (salt.length === 0) fail('SIGNING_KEY_MALFORMED', `${what}: kdf.salt is empty; the key file is corrupted`);
  if (nonce.length !== SECRETBOX_NONCE_BYTES) {
    fail(
      'SIGNING_KEY_MALFORMED',
      `${what}: cipher.nonce must be 24 bytes, got ${nonce.length}; the key file is corrupted`,
    );
  }
  if (ciphertext.length < nacl.secretbox.overheadLength) {
    fail('SIGNING_KEY_MALFORMED', `${what}: ciphertext is too short; the key file is corrupted`);
  }
  return { N: N as KdfN, salt, nonce, ciphertext };
}

function deriveKey(password: Buffer, salt: Buffer, N: number): Promise<Buffer> {
  const r = 8;
  const p = 1;
  // Node's default maxmem (32 MiB) is below what N=32768 needs; allow exactly the scrypt working set.
  const maxmem = 128 * r * (N + p + 2);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Opens a go-securesystemslib encrypted blob (scrypt + nacl/secretbox) and returns the plaintext.
 * Throws SIGNING_KEY_WRONG_PASSWORD when the box does not open.
 */
export async function openEncryptedKeyData(value: unknown, password: string | Buffer, what: string): Promise<Buffer> {
  const { N, salt, nonce, ciphertext } = checkEncryptedKeyData(value, what);
  const secret = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const key = await deriveKey(secret, salt, N);
  const plaintext = nacl.secretbox.open(ciphertext, nonce, key);
  key.fill(0);
  if (!plaintext) {
    fail('SIGNING_KEY_WRONG_PASSWORD', `wrong password for ${what}`);
  }
  return Buffer.from(plaintext);
}

/**
 * Reads and checks the encrypted JSON out of cosign key PEM text (label, kdf, cipher, scrypt parameters), refusing
 * anything that is not a cosign private key. Cheap: no scrypt runs here.
 */
export function parseCosignPrivateKeyPem(text: string, what: string): EncryptedKeyData {
  if (text.trim() === '') {
    fail('SIGNING_KEY_EMPTY', `${what} is empty; pass a cosign private key (create one with chainloop keys generate)`);
  }
  let blocks: ReturnType<typeof decodePemBlocks>;
  try {
    blocks = decodePemBlocks(text, what);
  } catch (error) {
    fail('SIGNING_KEY_MALFORMED', (error as Error).message);
  }
  const [block] = blocks;
  if (!block) {
    fail('SIGNING_KEY_MALFORMED', `${what} is not PEM (no "-----BEGIN …-----" line); pass a cosign private key`);
  }
  if (block.label === 'PUBLIC KEY' || block.label === 'RSA PUBLIC KEY' || block.label === 'CERTIFICATE') {
    fail(
      'SIGNING_KEY_NOT_PRIVATE',
      `${what} is a ${block.label === 'CERTIFICATE' ? 'certificate' : 'public key'}, not a private key; pass the private key (e.g. cosign.key, not cosign.pub)`,
    );
  }
  if (!(COSIGN_PRIVATE_KEY_LABELS as readonly string[]).includes(block.label)) {
    fail(
      'SIGNING_KEY_UNSUPPORTED',
      `${what}: PEM label "${block.label}" is not a cosign key (expected "${COSIGN_PRIVATE_KEY_LABELS.join('" or "')}"); convert it with cosign import-key-pair`,
    );
  }
  let data: EncryptedKeyData;
  try {
    data = JSON.parse(block.der.toString('utf8')) as EncryptedKeyData;
  } catch {
    fail('SIGNING_KEY_MALFORMED', `${what}: the PEM body is not cosign's encrypted JSON; the key file is corrupted`);
  }
  checkEncryptedKeyData(data, what);
  return data;
}

/** PKCS#8 DER of a cosign private key, decrypted in memory only. */
export async function decryptCosignPrivateKey(text: string, password: string | Buffer, what: string): Promise<Buffer> {
  const data = parseCosignPrivateKeyPem(text, what);
  return openEncryptedKeyData(data, password, what);
}

/** Encrypts PKCS#8 DER into cosign's key format (SIGSTORE label), readable by cosign and Chainloop. */
export async function encryptCosignPrivateKey(
  pkcs8Der: Uint8Array,
  password: string,
  options: { kdfN?: KdfN } = {},
): Promise<string> {
  const N = options.kdfN ?? DEFAULT_KDF_N;
  if (!SUPPORTED_KDF_N.includes(N)) {
    throw new ChainloopError('KDF_N_UNSUPPORTED', `scrypt N=${N} is not supported: use 32768, 65536 or 131072`);
  }
  const salt = randomBytes(32);
  const nonce = randomBytes(SECRETBOX_NONCE_BYTES);
  const key = await deriveKey(Buffer.from(password, 'utf8'), salt, N);
  const ciphertext = nacl.secretbox(pkcs8Der, nonce, key);
  key.fill(0);
  const data: EncryptedKeyData = {
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  };
  return encodePem(SIGSTORE_PRIVATE_KEY_LABEL, Buffer.from(JSON.stringify(data), 'utf8'));
}
