import { ChainloopError, UsageError } from '../errors';

export const SIGNING_PASSWORD_ENV = 'CHAINLOOP_SIGNING_PASSWORD';

type TtyInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export interface SigningPasswordOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the password comes from when the variable is unset (default process.stdin). */
  stdin?: TtyInput;
  /** Where the prompt is written (default process.stderr, so stdout stays clean for results). */
  promptOutput?: NodeJS.WritableStream;
  /** Ask twice on a terminal (for a new key). */
  confirm?: boolean;
}

/**
 * Where a signing password came from: the variable (set, possibly to the empty string), typed at the terminal prompt,
 * or piped on stdin; `none` when there is no variable, no terminal and stdin gave nothing (the usual CI job whose
 * secret is missing), which callers tell apart from a wrong password.
 */
export type SigningPasswordSource = 'env' | 'prompt' | 'stdin' | 'none';

export interface SigningPassword {
  /** Empty when `source` is `none`. */
  password: string;
  source: SigningPasswordSource;
}

/**
 * The password for a cosign key and where it came from: CHAINLOOP_SIGNING_PASSWORD when set (even empty: an
 * explicitly empty variable is an empty password, as cosign treats COSIGN_PASSWORD=""), else a prompt when stdin is a
 * terminal, else all of stdin (verbatim: a trailing newline is part of the password); nothing piped is `none`.
 */
export async function readSigningPassword(ref: string, options: SigningPasswordOptions = {}): Promise<SigningPassword> {
  const fromEnv = (options.env ?? process.env)[SIGNING_PASSWORD_ENV];
  if (fromEnv !== undefined) return { password: fromEnv, source: 'env' };
  const stdin = options.stdin ?? (process.stdin as TtyInput);
  const output = options.promptOutput ?? process.stderr;
  if (stdin.isTTY && stdin.setRawMode) {
    const first = await promptHidden(stdin, output, `Enter password for ${ref}: `);
    if (options.confirm) {
      const second = await promptHidden(stdin, output, 'Enter password again: ');
      if (first !== second) {
        throw new ChainloopError('SIGNING_PASSWORD_MISMATCH', 'the two passwords differ; run the command again');
      }
    }
    return { password: first, source: 'prompt' };
  }
  const piped = await readAll(stdin);
  return { password: piped, source: piped === '' ? 'none' : 'stdin' };
}

/** The password alone, as readSigningPassword resolves it ('' when none is set). */
export async function resolveSigningPassword(ref: string, options: SigningPasswordOptions = {}): Promise<string> {
  return (await readSigningPassword(ref, options)).password;
}

/**
 * The password for a new key (`keys generate`): as readSigningPassword, asking twice on a terminal. An empty password
 * (nothing set and nothing piped, an empty variable — a CI secret that is not defined expands to "" — or an empty
 * answer at the prompt) is refused unless `allowEmpty`: a key nobody meant to leave unprotected is never written.
 */
export async function resolveNewKeyPassword(
  privateKeyPath: string,
  options: Omit<SigningPasswordOptions, 'confirm'> & { allowEmpty?: boolean } = {},
): Promise<string> {
  const { password, source } = await readSigningPassword(privateKeyPath, { ...options, confirm: true });
  if (password !== '' || options.allowEmpty) return password;
  const allow = `or pass --allow-empty-password to create ${privateKeyPath} with an empty password`;
  if (source === 'env') {
    throw new UsageError(
      'SIGNING_PASSWORD_EMPTY',
      `${SIGNING_PASSWORD_ENV} is set but empty: set it to the password for the new key ${privateKeyPath}, ${allow}`,
    );
  }
  if (source === 'prompt') {
    throw new UsageError(
      'SIGNING_PASSWORD_EMPTY',
      `the password typed for ${privateKeyPath} is empty: type one, ${allow}`,
    );
  }
  throw new UsageError(
    'SIGNING_PASSWORD_MISSING',
    `no password is set for the new key ${privateKeyPath}: set ${SIGNING_PASSWORD_ENV} or pipe the password on stdin (no terminal to prompt on), ${allow}`,
  );
}

/**
 * The one-line error for an encrypted key whose password is not set (no variable, no terminal, nothing on stdin):
 * a usage error like a missing token, not a wrong password.
 */
export function signingPasswordMissing(what: string): UsageError {
  return new UsageError(
    'SIGNING_PASSWORD_MISSING',
    `${what} is encrypted and no password is set: set ${SIGNING_PASSWORD_ENV} or pipe the password on stdin (no terminal to prompt on)`,
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from a terminal without echoing it. Hand-written: node:readline always echoes. */
function promptHidden(stdin: TtyInput, output: NodeJS.WritableStream, question: string): Promise<string> {
  // Echo goes off before the question appears, so nothing typed after the prompt is ever shown.
  stdin.setRawMode?.(true);
  stdin.resume();
  output.write(question);
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') {
          return finish(new ChainloopError('SIGNING_PASSWORD_CANCELLED', 'password prompt cancelled'));
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
