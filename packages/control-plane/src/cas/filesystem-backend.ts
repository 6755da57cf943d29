import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChainloopError } from '@chainloop-ts/core';
import type { BlobInfo, CasBackend, WriteBlobOptions, WrittenBlob } from './backend';

/** An upload temp file untouched this long belongs to no live upload. */
const STALE_UPLOAD_MS = 6 * 60 * 60 * 1000;

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
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    // Leftovers of uploads interrupted by a crash are never committed. Only old ones go: another process sharing
    // the data dir may be writing the fresh ones right now.
    const cutoff = Date.now() - STALE_UPLOAD_MS;
    for (const entry of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, entry);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(path, { force: true });
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
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > options.maxBytes) {
          callback(
            new ChainloopError(
              'BLOB_TOO_LARGE',
              `blob is larger than the control plane's limit of ${options.maxBytes} bytes: raise --max-blob-size or skip the upload`,
            ),
          );
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    // A blob that exists already is only hashed (proof of possession), never written twice.
    const existing = options.expectedDigest ? await this.stat(options.expectedDigest) : undefined;
    const tmpPath = existing ? undefined : join(this.tmpDir, randomUUID());
    try {
      if (tmpPath) {
        await pipeline(source, meter, createWriteStream(tmpPath, { flags: 'wx', mode: 0o644 }));
        const handle = await open(tmpPath, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await pipeline(source, meter, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (options.expectedDigest && digest !== options.expectedDigest) {
        throw new ChainloopError(
          'DIGEST_MISMATCH',
          `uploaded bytes hash to ${digest}, not ${options.expectedDigest}: nothing was stored, upload the file again`,
        );
      }
      if (!tmpPath || (await this.stat(digest))) return { digest, size, created: false };
      const finalPath = this.pathFor(digest);
      await mkdir(join(finalPath, '..'), { recursive: true });
      await rename(tmpPath, finalPath);
      await syncDirectory(join(finalPath, '..'));
      return { digest, size, created: true };
    } finally {
      if (tmpPath) await rm(tmpPath, { force: true });
    }
  }

  async read(digest: string): Promise<{ size: number; stream: Readable } | undefined> {
    const info = await this.stat(digest);
    if (!info) return undefined;
    return { size: info.size, stream: createReadStream(this.pathFor(digest), { highWaterMark: 1024 * 1024 }) };
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
