/**
 * A small tmpfs mounted for one test, to fill a disk for real (`mount -t tmpfs -o size=…`). Needs root, which CI
 * has; without it the test fails with the reason rather than skipping.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  path: string;
  unmount(): void;
}

export function mountTmpfs(size: string): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'cp-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(`cannot mount a ${size} tmpfs on ${path} (this test needs root): ${mounted.stderr.trim()}`);
  }
  return {
    path,
    unmount() {
      spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Fills the filesystem at `dir` until fewer than `leaveBytes` bytes are free. */
export function fillUp(dir: string, leaveBytes: number): void {
  const result = spawnSync(
    'sh',
    [
      '-c',
      `avail=$(df -B1 --output=avail "${dir}" | tail -1); head -c $((avail - ${leaveBytes})) /dev/zero > "${dir}/filler"`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`cannot fill ${dir}: ${result.stderr}`);
}
