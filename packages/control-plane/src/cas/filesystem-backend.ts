import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  blobTooLarge,
  type CasBackend,
  digestMismatch,
  type WriteBlobOptions,
  type WrittenBlob,
} from './backend';
import { isLeftOfDeadUpload, uploadTempName } from './upload-temp-files';

/**
 * An upload temp file of another host (a data directory shared over the network) untouched this long belongs to no
 * live upload; this host's own leftovers are known dead as soon as their process is (see upload-temp-files.ts).
 */
const STALE_UPLOAD_MS = 6 * 60 * 60 * 1000;
/** Upload bytes gathered per write. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Written bytes after which the kernel is asked to put them on disk (see write). */
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;

/**
 * Blobs under `<root>/sha256/<first two hex>/<hex>`; uploads land in `<root>/tmp` and are renamed into place only
 * after fsync and a digest check, so a reader never sees a partial or wrong blob.
 */
export class FilesystemCasBackend implements CasBackend {
  private readonly blobsDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.blobsDir = join(root, 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    // Leftovers of uploads interrupted by a crash are never committed: removed when the process that wrote them is
    // gone. Another live process sharing the data dir may be writing its own right now, so those stay.
    const cutoff = Date.now() - STALE_UPLOAD_MS;
    for (const entry of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, entry);
      const info = await stat(path).catch(() => undefined);
      if (info && (isLeftOfDeadUpload(entry) || info.mtimeMs < cutoff)) await rm(path, { force: true });
    }
  }

  private pathFor(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return join(this.blobsDir, hex.slice(0, 2), hex);
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.pathFor(digest));
      return { digest, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(source: Readable, options: WriteBlobOptions): Promise<WrittenBlob> {
    const hash = createHash('sha256');
    // A blob that exists already is only hashed (proof of possession), never written twice.
    const existing = options.expectedDigest ? await this.stat(options.expectedDigest) : undefined;
    const tmpPath = existing ? undefined : join(this.tmpDir, uploadTempName());
    const file = tmpPath ? await open(tmpPath, 'wx', 0o600) : undefined;
    let size = 0;
    let renamed = false;
    try {
      // Socket reads arrive in 64 KiB chunks; they are written 1 MiB at a time (one writev), which cuts the control
      // plane's CPU per uploaded GiB (bench/ §1). Awaiting each write is the backpressure on the socket.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      // Below the kernel's dirty threshold nothing is written back until the final fsync, which then waits for the
      // whole blob. Syncing every few MiB on a worker thread lets the disk write while the rest arrives.
      let flushing: Promise<void> | undefined;
      let unflushedBytes = 0;
      // A failed upload leaves the rest of the body unread but not destroyed: the route may drain it, so that the
      // client reads the error answer instead of a reset connection.
      for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxBytes) {
          throw blobTooLarge(options.maxBytes);
        }
        hash.update(chunk);
        if (!file) continue;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          await writeAll(file, pending);
          unflushedBytes += pendingBytes;
          pending = [];
          pendingBytes = 0;
          if (unflushedBytes >= FLUSH_EVERY_BYTES) {
            await flushing;
            flushing = file.datasync();
            // Awaited before the next one and at the end; meanwhile a failure must not go unhandled.
            flushing.catch(() => {});
            unflushedBytes = 0;
          }
        }
      }
      if (file) {
        await writeAll(file, pending);
        await flushing;
        await file.sync();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (options.expectedDigest && digest !== options.expectedDigest) {
        throw digestMismatch(digest, options.expectedDigest);
      }
      if (!tmpPath || (await this.stat(digest))) return { digest, size, created: false };
      const finalPath = this.pathFor(digest);
      await renameIntoDirectory(tmpPath, finalPath);
      renamed = true;
      await syncDirectory(join(finalPath, '..'));
      return { digest, size, created: true };
    } finally {
      await file?.close();
      // Once renamed, the temp name is gone: removing it would only cost a failed lookup per upload.
      if (tmpPath && !renamed) await rm(tmpPath, { force: true });
    }
  }

  async read(digest: string): Promise<{ size: number; stream: Readable } | undefined> {
    const info = await this.stat(digest);
    if (!info) return undefined;
    return { size: info.size, stream: createReadStream(this.pathFor(digest), { highWaterMark: 1024 * 1024 }) };
  }
}

/** Writes every buffer, however many calls writev needs (it may write fewer bytes than asked). */
async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  let remaining = buffers;
  while (remaining.length > 0) {
    const { bytesWritten } = await file.writev(remaining);
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of remaining) {
      if (skip >= buffer.length) skip -= buffer.length;
      else {
        rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    remaining = rest;
  }
}

/**
 * Renames into the blob's fan-out directory, creating that directory only when the rename says it is missing: the
 * 256 directories exist after the first few uploads, and a recursive mkdir before every rename cost two more calls.
 */
async function renameIntoDirectory(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(join(to, '..'), { recursive: true, mode: 0o700 });
    await rename(from, to);
  }
}

/** Makes the rename durable: without a directory fsync a crash may forget the new name. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
