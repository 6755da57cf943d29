import { chmod, mkdir, stat } from 'node:fs/promises';
import { ChainloopError } from '@chainloop-ts/core';
import type { LogSink } from './log-sink';

/** Permission bits for group and others: none of them may be set on the data directory. */
const GROUP_OR_OTHERS = 0o077;

/**
 * The data directory holds the database, every blob, the admin token and the signing CA key, so only its owner may
 * enter it: created 0700, and an existing one open to group or others is tightened to 0700 (or the start is refused
 * with the command that fixes it, when this process may not change it).
 */
export async function prepareDataDirectory(dir: string, log: LogSink | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) {
    throw new ChainloopError('DATA_DIR_INVALID', `data directory ${dir} is not a directory: pass another --data-dir`);
  }
  const mode = info.mode & 0o777;
  if ((mode & GROUP_OR_OTHERS) === 0) return;
  try {
    await chmod(dir, 0o700);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ChainloopError(
      'DATA_DIR_NOT_PRIVATE',
      `data directory ${dir} is open to group or others (mode ${octal(mode)}) and cannot be made private (${reason}): run chmod 700 ${dir} as its owner`,
    );
  }
  log?.write('WRN', `data directory ${dir} was open to group or others (mode ${octal(mode)}): tightened to 0700`);
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
