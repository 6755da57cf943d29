import { open, readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { type ArchiveEntry, readTarEntries, readZipEntries } from './archive-entries';
import type { MaterialFile } from './material-file';

/** Container of a material judged by content, as Chainloop's archiveio: zip, tar, gzip (a tar.gz or a gzipped file). */
export async function containerOf(file: MaterialFile): Promise<'zip' | 'tar' | 'gzip' | 'none'> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6))
      return 'zip';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return 'none';
  } finally {
    await handle.close();
  }
}

/** Non-empty regular files of an archive, skipping directories (as Chainloop walks them). */
export async function archiveFiles(file: MaterialFile, container: 'zip' | 'tar'): Promise<ArchiveEntry[]> {
  const entries =
    container === 'zip' ? await readZipEntries(file.path, () => true) : await readTarEntries(file.path, () => true);
  return entries.filter((entry) => entry.content.length > 0);
}

/** A gzip file's content when it is not a tar.gz (a gzipped single log), else undefined. */
export async function gunzippedSingle(file: MaterialFile): Promise<Buffer | undefined> {
  const raw = gunzipSync(await readFile(file.path), { maxOutputLength: 1 << 30 });
  return raw.length >= 262 && raw.subarray(257, 262).toString('latin1') === 'ustar' ? undefined : raw;
}
