import type { Readable } from 'node:stream';
import { ChainloopError } from '@chainloop-ts/core';

/** `sha256:<64 lowercase hex>`, the only digest form the CAS accepts. */
export const DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
const DIGEST_REGEXP = new RegExp(DIGEST_PATTERN);

export function isDigest(value: string): boolean {
  return DIGEST_REGEXP.test(value);
}

export interface BlobInfo {
  digest: string;
  size: number;
}

/** What the uploader said about a blob, kept by backends that can (the OCI backend annotates its manifest with it). */
export interface BlobMetadata {
  /** The uploaded file's base name. */
  fileName?: string;
  /** The workflow whose robot account uploaded the bytes. */
  workflow?: { id: string; name?: string };
}

export interface WriteBlobOptions {
  /** When given, the bytes are kept only if they hash to it (else DIGEST_MISMATCH, nothing kept). */
  expectedDigest?: string;
  /** BLOB_TOO_LARGE past this many bytes, nothing kept. */
  maxBytes: number;
  metadata?: BlobMetadata;
}

export interface WrittenBlob extends BlobInfo {
  /** False when the blob was already there (the upload only proved possession). */
  created: boolean;
}

/**
 * The content-addressed store seam. Backends hash while they stream, so the digest is checked before anything
 * becomes visible. The filesystem backend is the default; the OCI registry backend (oci-backend.ts) implements the
 * same interface, and passes the same conformance suite (test/cas/cas-conformance.ts).
 */
export interface CasBackend {
  stat(digest: string): Promise<BlobInfo | undefined>;
  write(source: Readable, options: WriteBlobOptions): Promise<WrittenBlob>;
  /** Undefined when the blob does not exist. The stream fails if the bytes turn out not to hash to `digest`. */
  read(digest: string): Promise<{ size: number; stream: Readable } | undefined>;
}

/** The upload went past `maxBytes`: nothing kept. */
export function blobTooLarge(maxBytes: number): ChainloopError {
  return new ChainloopError(
    'BLOB_TOO_LARGE',
    `blob is larger than the control plane's limit of ${maxBytes} bytes: raise --max-blob-size or skip the upload`,
  );
}

/** The uploaded bytes hash to another digest than the one claimed: nothing kept. */
export function digestMismatch(actual: string, expected: string): ChainloopError {
  return new ChainloopError(
    'DIGEST_MISMATCH',
    `uploaded bytes hash to ${actual}, not ${expected}: nothing was stored, upload the file again`,
  );
}
