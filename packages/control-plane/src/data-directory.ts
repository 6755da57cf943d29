import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import type { LogSink } from './log-sink';

/** Permission bits for group and others: none of them may be set on the data directory. */
const GROUP_OR_OTHERS = 0o077;

/**
 * Kernel filesystems that show the system's state and keep no files (statfs f_type → name). Node's recursive mkdir
 * loops for ever under /proc (mkdir answers ENOENT though the parent exists, so it retries the parent), and the others
 * refuse with codes that read like a permission problem; a data directory on them is refused up front.
 */
const VIRTUAL_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
]);

const WRITABLE_DIR = 'pass --data-dir with a writable directory';

/**
 * The data directory holds the database, every blob, the admin token and the signing CA key, so only its owner may
 * enter it: created 0700, and an existing one open to group or others is tightened to 0700 (or the start is refused
 * with the command that fixes it, when this process may not change it). A directory that cannot be created or written
 * is refused with one line naming the path, why and what to do; directories this call created are removed again.
 */
export async function prepareDataDirectory(dir: string, log: LogSink | undefined): Promise<void> {
  const refuse = (reason: string, fix = WRITABLE_DIR) =>
    new ChainloopError('DATA_DIR_UNUSABLE', `data directory ${dir} cannot be used: ${reason}: ${fix}`);

  // The nearest part of the path that exists, and the directories to create under it (outermost first).
  const missing: string[] = [];
  let existing = dir;
  let info: Awaited<ReturnType<typeof stat>>;
  for (;;) {
    try {
      info = await stat(existing);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(existing) === existing) {
        throw refuse(reasonFor(code, existing, 'read'));
      }
      missing.unshift(existing);
      existing = dirname(existing);
    }
  }
  if (!info.isDirectory()) {
    throw refuse(`${existing} is a file, not a directory`, 'pass --data-dir with a directory, or move the file away');
  }
  const filesystem = await statfs(existing).then(
    (fs) => VIRTUAL_FILESYSTEMS.get(fs.type),
    () => undefined,
  );
  if (filesystem) {
    throw refuse(`${existing} is on ${filesystem}, a view of the kernel's state and not a writable filesystem`);
  }

  // One level at a time: a recursive mkdir can loop for ever where mkdir answers ENOENT under an existing parent.
  const created: string[] = [];
  const removeCreated = async () => {
    for (const path of created.reverse()) await rmdir(path).catch(() => undefined);
  };
  for (const path of missing) {
    try {
      await mkdir(path, { mode: 0o700 });
      created.push(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another process sharing the data dir created it first.
      if (
        code === 'EEXIST' &&
        (await stat(path).then(
          (made) => made.isDirectory(),
          () => false,
        ))
      )
        continue;
      await removeCreated();
      throw refuse(reasonFor(code, path, 'create'));
    }
  }

  // Writable, checked now rather than as a raw error from whichever store writes first.
  const probe = join(dir, `.write-check.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    await removeCreated();
    throw refuse(reasonFor((error as NodeJS.ErrnoException).code, dir, 'write'));
  }
  await rm(probe, { force: true });

  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & GROUP_OR_OTHERS) !== 0) {
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
}

/** Why `path` cannot be looked up, created (in its parent) or written in, in words. */
function reasonFor(code: string | undefined, path: string, action: 'read' | 'create' | 'write'): string {
  const parent = dirname(path);
  const user = `this user (uid ${process.getuid?.() ?? '?'})`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      if (action === 'create') return `${user} has no permission to create directories in ${parent}`;
      return action === 'write'
        ? `${user} has no permission to write in ${path}`
        : `${user} may not look up ${path} (a directory on its way is closed to it)`;
    case 'EROFS':
      return `${action === 'create' ? parent : path} is on a read-only filesystem`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space is left on the filesystem of ${action === 'create' ? parent : path}`;
    case 'ENAMETOOLONG':
      return `${path} is too long a path`;
    case 'ELOOP':
      return `${path} goes through a loop of symbolic links`;
    case 'ENOENT':
      return `${parent} does not accept new entries`;
    default:
      return `${path} cannot be ${action === 'read' ? 'looked up' : action === 'create' ? 'created' : 'written in'} (${code ?? 'unknown error'})`;
  }
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
