/**
 * Runs a program of this repository as `nobody` (uid 65534), for tests of permission errors that root never gets.
 *
 * A clone may sit under a folder `nobody` cannot enter (mktemp -d makes 0700 ones), so the repository is bind-mounted
 * at a world-readable path inside a private mount namespace of the child: paths into the repository are rewritten to
 * that view, and the mount disappears with the child, whatever the test does. Needs root (as CI has); without it the
 * child fails and the test says why instead of skipping.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

export const NOBODY = 65534;

const repositoryRoot = resolve(import.meta.dirname, '..', '..');

export interface AsNobodyOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeout: number;
}

/** `spawnSync(command, args)` as uid/gid 65534 with the repository reachable; its paths are given as usual. */
export function spawnSyncAsNobody(command: string, args: string[], options: AsNobodyOptions): SpawnSyncReturns<string> {
  const view = mkdtempSync(join(tmpdir(), 'as-nobody-'));
  try {
    chmodSync(view, 0o755);
    const repositoryView = join(view, 'repository');
    mkdirSync(repositoryView);
    const inView = (path: string) =>
      path === repositoryRoot || path.startsWith(repositoryRoot + sep)
        ? repositoryView + path.slice(repositoryRoot.length)
        : path;
    const script =
      'mount --bind "$1" "$2" && cd "$3" && shift 3 && exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"';
    return spawnSync(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        script,
        'as-nobody',
        repositoryRoot,
        repositoryView,
        inView(options.cwd),
        inView(command),
        ...args.map(inView),
      ],
      {
        cwd: '/',
        env: options.env ?? process.env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeout,
      },
    );
  } finally {
    rmSync(view, { recursive: true, force: true });
  }
}
