import type { Readable } from 'node:stream';

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

export interface WriteBlobOptions {
  /** When given, the bytes are kept only if they hash to it (else DIGEST_MISMATCH, nothing kept). */
  expectedDigest?: string;
  /** BLOB_TOO_LARGE past this many bytes, nothing kept. */
  maxBytes: number;
}

export interface WrittenBlob extends BlobInfo {
  /** False when the blob was already there (the upload only proved possession). */
  created: boolean;
}

/**
 * The content-addressed store seam. Backends hash while they stream, so the digest is checked before anything
 * becomes visible. The filesystem backend is the default; OCI registry and S3 backends implement the same interface.
 */
export interface CasBackend {
  stat(digest: string): Promise<BlobInfo | undefined>;
  write(source: Readable, options: WriteBlobOptions): Promise<WrittenBlob>;
  /** Undefined when the blob does not exist. */
  read(digest: string): Promise<{ size: number; stream: Readable } | undefined>;
}
