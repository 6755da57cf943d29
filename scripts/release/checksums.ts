import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** SHA256SUMS in sha256sum's format (two spaces, names relative to the release folder), checkable with `sha256sum -c`. */
export function writeChecksums(outDir: string, files: string[]): string {
  const lines = files
    .map((file) => `${createHash('sha256').update(readFileSync(file)).digest('hex')}  ${basename(file)}`)
    .sort((a, b) => a.slice(66).localeCompare(b.slice(66)));
  const path = join(outDir, 'SHA256SUMS');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
