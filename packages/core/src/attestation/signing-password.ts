import { ChainloopError } from '../errors';

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
 * The password for a cosign key, as Chainloop resolves it: CHAINLOOP_SIGNING_PASSWORD when set (even empty), else a
 * prompt when stdin is a terminal, else all of stdin (verbatim: a trailing newline is part of the password).
 */
export async function resolveSigningPassword(ref: string, options: SigningPasswordOptions = {}): Promise<string> {
  const fromEnv = (options.env ?? process.env)[SIGNING_PASSWORD_ENV];
  if (fromEnv !== undefined) return fromEnv;
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
    return first;
  }
  return readAll(stdin);
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
