import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import { octal } from '../data-directory';
import type { LogSink } from '../log-sink';
import { generateToken, hashToken } from './tokens';

export interface AdminTokenSource {
  /** sha256 hex of the admin token; the token itself is not kept in memory longer than needed. */
  tokenHash: string;
  /** Where it came from, for the start-up log line (never the token). */
  origin: 'environment' | 'file';
  path?: string;
  generated: boolean;
}

export const ADMIN_TOKEN_FILE = 'admin.token';

/**
 * The admin token: the configured one (CHAINLOOP_CP_ADMIN_TOKEN) if any, else the one in DATA_DIR/admin.token,
 * generating that file (mode 0600) on first start. A token file others may read gets a warning.
 */
export function bootstrapAdminToken(dataDir: string, configured: string | undefined, log?: LogSink): AdminTokenSource {
  if (configured !== undefined) {
    if (configured.trim().length < 16) {
      throw new ChainloopError(
        'ADMIN_TOKEN_WEAK',
        'CHAINLOOP_CP_ADMIN_TOKEN is shorter than 16 characters: set a long random value or unset it to generate one',
      );
    }
    return { tokenHash: hashToken(configured.trim()), origin: 'environment', generated: false };
  }
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (!existsSync(path)) {
    // Written aside, then linked into place: the file appears complete or not at all, and if another process
    // sharing the data dir linked its token first (EEXIST), that one is used.
    const token = generateToken('admin');
    const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, `${token}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(aside, path);
      return { tokenHash: hashToken(token), origin: 'file', path, generated: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(aside, { force: true });
    }
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o044) !== 0) {
    log?.write(
      'WRN',
      `admin token file ${path} is readable by group or others (mode ${octal(mode)}): run chmod 600 ${path}`,
    );
  }
  const token = readFileSync(path, 'utf8').trim();
  if (!token) {
    throw new ChainloopError('ADMIN_TOKEN_EMPTY', `admin token file ${path} is empty: delete it to generate a new one`);
  }
  return { tokenHash: hashToken(token), origin: 'file', path, generated: false };
}
