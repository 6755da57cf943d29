import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { MiB } from './stats';

/**
 * A file of `size` bytes of real data: a 1 MiB random block written again and again (a sparse file would hash
 * from zero pages the kernel never reads). Fast to make, incompressible within each block.
 */
export function writeDataFile(path: string, size: number): void {
  const block = randomBytes(MiB);
  const fd = openSync(path, 'w', 0o600);
  try {
    let written = 0;
    while (written < size) {
      const length = Math.min(block.length, size - written);
      // Each block differs from the last in its first 8 bytes, so no two MiB of the file are the same.
      block.writeBigUInt64BE(BigInt(written), 0);
      written += writeSync(fd, block, 0, length);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
