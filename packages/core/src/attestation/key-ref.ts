import { readFile } from 'node:fs/promises';
import { ChainloopError } from '../errors';

export const ENV_KEY_SCHEME = 'env://';

/**
 * The text a key reference points at: `env://VAR` (the variable holds the PEM text, as in cosign) or a file path.
 * `what` names the reference in errors, e.g. `signing key` or `public key`.
 */
export async function readKeyReference(
  ref: string,
  options: { env?: NodeJS.ProcessEnv; what?: string } = {},
): Promise<string> {
  const what = options.what ?? 'signing key';
  if (ref === '') {
    throw new ChainloopError('KEY_REF_EMPTY', `${what}: empty reference; pass a file path or env://VAR`);
  }
  if (ref.startsWith(ENV_KEY_SCHEME)) {
    const variable = ref.slice(ENV_KEY_SCHEME.length);
    const value = (options.env ?? process.env)[variable];
    if (variable === '' || value === undefined) {
      throw new ChainloopError(
        'KEY_REF_NOT_FOUND',
        `${what} ${ref}: environment variable ${variable || '(none)'} is not set; export it with the PEM text of the key`,
      );
    }
    return value;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(ref);
  if (scheme) {
    throw new ChainloopError(
      'KEY_REF_UNSUPPORTED',
      `${what} ${ref}: scheme ${scheme[1]}:// is not supported; use a file path or env://VAR`,
    );
  }
  try {
    return await readFile(ref, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a key file'
          : code === 'EACCES'
            ? 'permission denied'
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new ChainloopError('KEY_REF_NOT_FOUND', `${what} ${ref}: ${reason}; pass the path of the key file`);
  }
}
