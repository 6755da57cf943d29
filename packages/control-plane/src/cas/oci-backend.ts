import { createHash, type Hash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { ChainloopError } from '@chainloop-ts/core';
import {
  type BlobInfo,
  type BlobMetadata,
  blobTooLarge,
  type CasBackend,
  digestMismatch,
  type WriteBlobOptions,
  type WrittenBlob,
} from './backend';
import { DistributionClient, OCI_MANIFEST_MEDIA_TYPE } from './distribution-client';
import type { OciCasLocation } from './oci-location';

/** The `artifactType` of the manifest that keeps each CAS blob, so tools (and GC) tell them from images. */
export const CAS_ARTIFACT_TYPE = 'application/vnd.chainloop-ts.cas.blob.v1';
export const CAS_LAYER_MEDIA_TYPE = 'application/octet-stream';
/** Annotations of a CAS blob's manifest (the file name is on the layer, as oras and skopeo expect it). */
export const CAS_ANNOTATIONS = {
  fileName: 'org.opencontainers.image.title',
  workflowId: 'dev.chainloop-ts.cas.workflow.id',
  workflowName: 'dev.chainloop-ts.cas.workflow.name',
} as const;
/** The OCI empty descriptor: the config of an artifact that has none (`{}`). */
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

export interface OciCasOptions {
  /** Blobs up to this size are sent in one PUT (monolithic upload); larger ones in PATCH chunks. Default 4 MiB. */
  monolithicMaxBytes?: number;
  /** Bytes per PATCH of a chunked upload, each streamed (never buffered). Default 64 MiB. */
  chunkBytes?: number;
  /** For the docker keychain (DOCKER_CONFIG, HOME). */
  env?: NodeJS.ProcessEnv;
}

/** The tag that keeps a blob's manifest, e.g. `sha256-<hex>`: tagged, so registry garbage collection keeps both. */
export function casTag(digest: string): string {
  return digest.replace(':', '-');
}

/**
 * The CAS in an OCI registry: each blob is a blob of the repository (uploaded through the distribution API, hashed
 * while it streams and committed only under the digest it hashes to), referenced by an OCI artifact manifest tagged
 * `sha256-<hex>` so that the registry's garbage collection keeps it and standard tools can pull it. Access rules stay
 * with the control plane: the registry is its private store.
 */
export class OciCasBackend implements CasBackend {
  readonly client: DistributionClient;
  private readonly monolithicMaxBytes: number;
  private readonly chunkBytes: number;
  private readonly manifestPushes = new Map<string, Promise<void>>();

  constructor(
    readonly location: OciCasLocation,
    options: OciCasOptions = {},
  ) {
    this.client = new DistributionClient(location, options.env);
    this.monolithicMaxBytes = options.monolithicMaxBytes ?? 4 * 1024 * 1024;
    this.chunkBytes = Math.max(options.chunkBytes ?? 64 * 1024 * 1024, 1);
  }

  /** Checks that the registry answers and takes the credentials, and that the artifacts' empty config is there. */
  async init(): Promise<void> {
    await this.client.ping();
    if ((await this.client.statBlob(EMPTY_CONFIG.digest)) !== undefined) return;
    const session = await this.client.startUpload();
    if (session.mounted) return;
    await this.client.commitUpload(
      session.location,
      EMPTY_CONFIG.digest,
      Buffer.from('{}'),
      'upload of the empty config',
    );
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    const size = await this.client.statBlob(digest);
    return size === undefined ? undefined : { digest, size };
  }

  async read(digest: string): Promise<{ size: number; stream: Readable } | undefined> {
    const response = await this.client.getBlob(digest);
    if (!response) return undefined;
    const size = Number(response.header('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) {
      response.discard();
      throw new ChainloopError(
        'CAS_REGISTRY_ERROR',
        `CAS registry ${this.location.registry} sent blob ${digest} without a Content-Length: it does not speak the OCI distribution API`,
      );
    }
    const stream = verifyingStream(digest, size, this.location.registry);
    // A connection that drops mid-blob fails the stream, as a wrong byte does; a reader that stops reading stops it.
    pipeline(response.body, stream, () => {});
    return { size, stream };
  }

  async write(source: Readable, options: WriteBlobOptions): Promise<WrittenBlob> {
    const reader = new HashingReader(source, options.maxBytes);
    try {
      return await this.writeFrom(reader, options);
    } catch (error) {
      // The reader's own failure (too large) surfaces through the upload request as a broken pipe: report the cause.
      throw reader.failure ?? error;
    }
  }

  private async writeFrom(reader: HashingReader, options: WriteBlobOptions): Promise<WrittenBlob> {
    const expected = options.expectedDigest;
    if (expected) {
      // A blob that exists already is only hashed (proof of possession), never sent twice.
      if ((await this.client.statBlob(expected)) !== undefined) {
        const blob = await reader.drainAndCheck(expected);
        await this.keepWithManifest(blob, options.metadata, false);
        return { ...blob, created: false };
      }
      for (const from of this.location.mountFrom) {
        if ((await this.client.statBlob(expected, from)) === undefined) continue;
        const blob = await reader.drainAndCheck(expected);
        const started = await this.client.startUpload({ digest: expected, from });
        if (!started.mounted) {
          await this.client.cancelUpload(started.location);
          throw new ChainloopError(
            'CAS_MOUNT_FAILED',
            `CAS registry ${this.location.registry} did not mount blob ${expected} from ${from} although it had it a moment ago: nothing was stored, upload the file again`,
          );
        }
        await this.keepWithManifest(blob, options.metadata, true);
        return { ...blob, created: true };
      }
    }
    const head = await reader.readUpTo(this.monolithicMaxBytes);
    const session = await this.client.startUpload();
    if (session.mounted) throw new Error('a plain upload start answered as a mount');
    let location = session.location;
    let committed = false;
    try {
      let pending = head.chunks;
      if (!head.ended) {
        // Chunked: each PATCH streams up to chunkBytes straight from the request body (backpressure, no buffering).
        for (let part = 1; pending.length > 0; part++) {
          const first = pending;
          location = await this.client.patchUpload(
            location,
            () => Readable.from(reader.segment(first, this.chunkBytes)),
            `chunk ${part} of a blob upload`,
          );
          if (reader.failure) throw reader.failure;
          const next = await reader.next();
          pending = next ? [next] : [];
        }
      }
      const digest = reader.digest();
      if (expected && digest !== expected) throw digestMismatch(digest, expected);
      const blob = { digest, size: reader.size };
      if (!expected && (await this.client.statBlob(digest)) !== undefined) {
        await this.client.cancelUpload(location);
        committed = true;
        await this.keepWithManifest(blob, options.metadata, false);
        return { ...blob, created: false };
      }
      const last = head.ended ? Buffer.concat(head.chunks) : Buffer.alloc(0);
      try {
        await this.client.commitUpload(location, digest, last, `commit of blob ${digest}`);
      } catch (error) {
        // We hashed these bytes ourselves: if the blob is there now, a racing upload of the same bytes committed it.
        if (!isRaceLoss(error) || (await this.client.statBlob(digest)) === undefined) throw error;
        await this.client.cancelUpload(location);
        committed = true;
        await this.keepWithManifest(blob, options.metadata, false);
        return { ...blob, created: false };
      }
      committed = true;
      await this.keepWithManifest(blob, options.metadata, true);
      return { ...blob, created: true };
    } finally {
      if (!committed) await this.client.cancelUpload(location);
    }
  }

  /** Pushes the blob's artifact manifest (a new blob), or makes sure one is there (a blob stored before). */
  private keepWithManifest(blob: BlobInfo, metadata: BlobMetadata | undefined, fresh: boolean): Promise<void> {
    // Concurrent uploads of one blob in this process wait for one push rather than racing to the same tag.
    const tag = casTag(blob.digest);
    const inFlight = this.manifestPushes.get(tag);
    if (inFlight) return inFlight;
    const push = this.pushManifest(tag, blob, metadata, fresh).finally(() => this.manifestPushes.delete(tag));
    this.manifestPushes.set(tag, push);
    return push;
  }

  private async pushManifest(tag: string, blob: BlobInfo, metadata: BlobMetadata | undefined, fresh: boolean) {
    if (!fresh && (await this.client.hasManifest(tag))) return;
    const manifest = artifactManifest(blob, metadata);
    for (const pauseMs of RACE_RETRY_PAUSES_MS) {
      try {
        return await this.client.putManifest(tag, manifest);
      } catch (error) {
        if (!isRaceLoss(error)) throw error;
      }
      // Another writer of the same blob (another replica) may have pushed it meanwhile: as good as ours.
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (await this.client.hasManifest(tag)) return;
    }
    await this.client.putManifest(tag, manifest);
  }
}

/**
 * docker-registry's filesystem storage rewrites link files in place, so a request racing another writer of the same
 * blob or tag can fail (500, or DIGEST_INVALID on a half-written link). Such a failure is worth another try;
 * authentication and the registry's other refusals are not.
 */
function isRaceLoss(error: unknown): boolean {
  return error instanceof ChainloopError && (error.code === 'CAS_REGISTRY_ERROR' || error.code === 'DIGEST_MISMATCH');
}
const RACE_RETRY_PAUSES_MS = [50, 200, 500];

/** The OCI artifact manifest that references one CAS blob as its only layer. */
export function artifactManifest(blob: BlobInfo, metadata: BlobMetadata = {}): Buffer {
  // No timestamp: the same blob from the same workflow makes the same manifest, so pushing it again changes nothing.
  const annotations: Record<string, string> = {};
  if (metadata.workflow) {
    annotations[CAS_ANNOTATIONS.workflowId] = metadata.workflow.id;
    if (metadata.workflow.name) annotations[CAS_ANNOTATIONS.workflowName] = metadata.workflow.name;
  }
  const layer: Record<string, unknown> = { mediaType: CAS_LAYER_MEDIA_TYPE, digest: blob.digest, size: blob.size };
  if (metadata.fileName) layer.annotations = { [CAS_ANNOTATIONS.fileName]: metadata.fileName };
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: CAS_ARTIFACT_TYPE,
      config: EMPTY_CONFIG,
      layers: [layer],
      annotations,
    }),
  );
}

/** Passes the registry's bytes on while hashing them; fails the stream if they are not `size` bytes hashing to `digest`. */
function verifyingStream(digest: string, size: number, registry: string): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  const wrong = (what: string) =>
    new ChainloopError(
      'CAS_DIGEST_MISMATCH',
      `CAS registry ${registry} sent ${what} for blob ${digest}: the stored blob is damaged or was altered; do not trust it, and check the registry's storage`,
    );
  return new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size) return callback(wrong(`more than the ${size} bytes it announced`));
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = `sha256:${hash.digest('hex')}`;
      if (seen !== size) return callback(wrong(`${seen} of the ${size} bytes it announced`));
      if (actual !== digest) return callback(wrong(`bytes hashing to ${actual}`));
      callback();
    },
  });
}

/**
 * Pulls the upload body chunk by chunk, hashing and counting each once, and failing past `maxBytes`. Split into
 * segments for PATCH requests without copying: the rest of a chunk cut at a segment's end starts the next one.
 */
class HashingReader {
  size = 0;
  /** Why reading stopped (too large, the body broke), when it did. */
  failure?: unknown;
  private readonly hash: Hash = createHash('sha256');
  private readonly iterator: AsyncIterator<Buffer>;
  private leftover?: Buffer;

  constructor(
    source: Readable,
    private readonly maxBytes: number,
  ) {
    // A failed upload leaves the rest of the body unread but not destroyed: the route may drain it, so that the client
    // reads the error answer instead of a reset connection.
    this.iterator = (source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | undefined> {
    if (this.leftover) {
      const chunk = this.leftover;
      this.leftover = undefined;
      return chunk;
    }
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.failure = error;
      throw error;
    }
    if (result.done) return undefined;
    this.size += result.value.length;
    if (this.size > this.maxBytes) {
      this.failure = blobTooLarge(this.maxBytes);
      throw this.failure;
    }
    this.hash.update(result.value);
    return result.value;
  }

  /** Up to `limit` bytes (or a little more: whole chunks), and whether that was the whole body. */
  async readUpTo(limit: number): Promise<{ chunks: Buffer[]; ended: boolean }> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    while (bytes <= limit) {
      const chunk = await this.next();
      if (!chunk) return { chunks, ended: true };
      chunks.push(chunk);
      bytes += chunk.length;
    }
    return { chunks, ended: false };
  }

  /**
   * The given chunks, then the body's, up to `limit` bytes in all. A body that fails (too large, the client gone)
   * ends the segment early rather than breaking the PATCH: a request cut off mid-body leaves bytes in the registry's
   * session that its last known state does not count, and the registry then refuses to cancel it. The caller sees
   * `failure` once the PATCH is answered, and cancels the session with the state that answer gives.
   */
  async *segment(first: Buffer[], limit: number): AsyncGenerator<Buffer> {
    let sent = 0;
    for (const chunk of first) {
      yield chunk;
      sent += chunk.length;
    }
    while (sent < limit) {
      let chunk: Buffer | undefined;
      try {
        chunk = await this.next();
      } catch {
        return;
      }
      if (!chunk) return;
      const room = limit - sent;
      if (chunk.length > room) {
        this.leftover = chunk.subarray(room);
        yield chunk.subarray(0, room);
        return;
      }
      yield chunk;
      sent += chunk.length;
    }
  }

  /** Reads (and hashes) the rest of the body without keeping it, and checks that it all hashes to `expected`. */
  async drainAndCheck(expected: string): Promise<BlobInfo> {
    while (await this.next());
    const digest = this.digest();
    if (digest !== expected) throw digestMismatch(digest, expected);
    return { digest, size: this.size };
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
