import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** One file taken out of an archive. */
export interface ArchiveEntry {
  path: string;
  content: Buffer;
}

export interface ArchiveLimits {
  /** Entries larger than this are refused rather than buffered (zip bombs, huge reports). */
  maxEntryBytes: number;
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntryBytes: 64 * 1024 * 1024, maxEntries: 10_000 };

export class ArchiveError extends Error {}

const REGULAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Regular files of a (gzipped) tar whose path `wanted` accepts, in archive order. */
export async function readTarEntries(
  path: string,
  wanted: (entryPath: string) => boolean,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveEntry[]> {
  const { Parser } = await import('tar');
  const entries: ArchiveEntry[] = [];
  let seen = 0;
  let failure: Error | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry(entry) {
      seen += 1;
      if (seen > limits.maxEntries) failure ??= new ArchiveError(`more than ${limits.maxEntries} entries`);
      if (failure || !REGULAR_FILE_TYPES.has(entry.type) || !wanted(entry.path)) {
        entry.resume();
        return;
      }
      if (entry.size > limits.maxEntryBytes) {
        failure ??= new ArchiveError(`entry ${entry.path} is larger than ${limits.maxEntryBytes} bytes`);
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => entries.push({ path: entry.path, content: Buffer.concat(chunks) }));
    },
  });
  try {
    await pipeline(createReadStream(path), parser);
  } catch (error) {
    throw new ArchiveError(`not a readable tar archive (${(error as Error).message})`);
  }
  if (failure) throw failure;
  return entries;
}

/** Files of a zip whose path `wanted` accepts, in archive order. */
export async function readZipEntries(
  path: string,
  wanted: (entryPath: string) => boolean,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveEntry[]> {
  const yauzl = await import('yauzl');
  let zip: import('yauzl').ZipFile;
  try {
    zip = await new Promise((resolvePromise, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, file) =>
        error ? reject(error) : resolvePromise(file),
      ),
    );
  } catch (error) {
    throw new ArchiveError(`not a readable zip archive (${(error as Error).message})`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ArchiveError(`more than ${limits.maxEntries} entries`);
  }
  return new Promise((resolvePromise, reject) => {
    const entries: ArchiveEntry[] = [];
    const fail = (error: Error) => {
      zip.close();
      reject(error instanceof ArchiveError ? error : new ArchiveError(`not a readable zip archive (${error.message})`));
    };
    zip.on('error', fail);
    zip.on('end', () => resolvePromise(entries));
    zip.on('entry', (entry: import('yauzl').Entry) => {
      if (entry.fileName.endsWith('/') || !wanted(entry.fileName)) {
        zip.readEntry();
        return;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        fail(new ArchiveError(`entry ${entry.fileName} is larger than ${limits.maxEntryBytes} bytes`));
        return;
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', fail);
        stream.on('end', () => {
          entries.push({ path: entry.fileName, content: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}
