import type { ControlPlaneClient } from '../client/index';
import { hashFile } from './file-digest';

/** Small files are hashed first so a blob the CAS already has is not sent again. */
const HASH_FIRST_MAX_BYTES = 8 * 1024 * 1024;

export interface StoredFile {
  digest: string;
  size: number;
  uploaded: boolean;
  milliseconds: number;
}

/**
 * Digests a file material and, unless told not to, puts it in the control plane's CAS. Large files are hashed and
 * uploaded in one streaming pass; nothing is ever held in memory whole.
 */
export async function storeFileMaterial(
  path: string,
  size: number,
  options: { client?: ControlPlaneClient; upload: boolean },
): Promise<StoredFile> {
  const started = Date.now();
  if (!options.upload || !options.client) {
    const { digest } = await hashFile(path);
    return { digest, size, uploaded: false, milliseconds: Date.now() - started };
  }
  const client = options.client;
  if (size <= HASH_FIRST_MAX_BYTES) {
    const { digest } = await hashFile(path);
    if (!(await client.hasBlob(digest))) await client.uploadBlob(digest, path);
    return { digest, size, uploaded: true, milliseconds: Date.now() - started };
  }
  const { digest, size: sent } = await client.uploadFileOnePass(path);
  return { digest, size: sent, uploaded: true, milliseconds: Date.now() - started };
}
