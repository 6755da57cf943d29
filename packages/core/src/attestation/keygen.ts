import { generateKeyPair as generateNodeKeyPair } from 'node:crypto';
import { access, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ChainloopError } from '../errors';
import { DEFAULT_KDF_N, encryptCosignPrivateKey, type KdfN, SUPPORTED_KDF_N } from './cosign-key';

const generateEcKeyPair = promisify(generateNodeKeyPair);

export interface GeneratedKeyPair {
  /** cosign format (ENCRYPTED SIGSTORE PRIVATE KEY). */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** A P-256 key pair in cosign's format (what `cosign generate-key-pair` writes), N=65536 unless told otherwise. */
export async function generateKeyPair(options: { password: string; kdfN?: KdfN }): Promise<GeneratedKeyPair> {
  const kdfN = options.kdfN ?? DEFAULT_KDF_N;
  if (!SUPPORTED_KDF_N.includes(kdfN)) {
    throw new ChainloopError('KDF_N_UNSUPPORTED', `--kdf-n ${kdfN} is not supported: use 32768, 65536 or 131072`);
  }
  const { privateKey, publicKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    return {
      privateKeyPem: await encryptCosignPrivateKey(pkcs8, options.password, { kdfN }),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * The two paths for `prefix`; unless `force`, refuses when either exists (checked before asking for a password,
 * so a refusal costs nothing and leaves nothing half-written).
 */
export async function checkKeyPairTargets(
  prefix: string,
  options: { force?: boolean } = {},
): Promise<{ privateKeyPath: string; publicKeyPath: string }> {
  const privateKeyPath = `${prefix}.key`;
  const publicKeyPath = `${prefix}.pub`;
  if (!options.force) {
    for (const path of [privateKeyPath, publicKeyPath]) {
      const exists = await access(path).then(
        () => true,
        () => false,
      );
      if (exists) throw new ChainloopError('KEY_FILE_EXISTS', `${path} already exists; pass --force to overwrite it`);
    }
  }
  return { privateKeyPath, publicKeyPath };
}

/**
 * Writes `<prefix>.key` (mode 0600) and `<prefix>.pub`, refusing to overwrite either unless `force`.
 * Returns the two paths.
 */
export async function writeKeyPairFiles(
  prefix: string,
  pair: GeneratedKeyPair,
  options: { force?: boolean } = {},
): Promise<{ privateKeyPath: string; publicKeyPath: string }> {
  const { privateKeyPath, publicKeyPath } = await checkKeyPairTargets(prefix, options);
  const flags = options.force ? 'w' : 'wx';
  for (const [path, content, mode] of [
    [privateKeyPath, pair.privateKeyPem, 0o600],
    [publicKeyPath, pair.publicKeyPem, 0o644],
  ] as const) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, flags, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new ChainloopError('KEY_FILE_EXISTS', `${path} already exists; pass --force to overwrite it`);
      }
      const reason =
        code === 'ENOENT' ? `folder ${dirname(path)} does not exist; create it first` : `cannot be written (${code})`;
      throw new ChainloopError('KEY_FILE_WRITE', `${path}: ${reason}`);
    }
    try {
      // An existing file keeps its mode on open(); a private key must never stay group/world readable.
      await handle.chmod(mode);
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
  }
  return { privateKeyPath, publicKeyPath };
}
