import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchControlPlane } from './control-plane';
import { casBlobPath } from './control-plane';
import { mustSucceed, type TimedProcess, timeProcess } from './process-timer';

/**
 * The upload floor: curl streaming the file to the same CAS endpoint the CLI uses for a known digest
 * (`PUT /v1/cas/sha256:<hex>`). The token goes in a header file so it is not on curl's command line.
 */
export async function curlUpload(
  cp: BenchControlPlane,
  token: string,
  path: string,
  digest: string,
  headerDir: string,
): Promise<TimedProcess> {
  const headerFile = join(headerDir, 'curl-headers');
  await writeFile(headerFile, `Authorization: Bearer ${token}\nContent-Type: application/octet-stream\n`, {
    mode: 0o600,
  });
  try {
    const result = await timeProcess('curl', [
      '--silent',
      '--show-error',
      '--fail',
      '--output',
      '/dev/null',
      '--header',
      `@${headerFile}`,
      '--upload-file',
      path,
      `${cp.url}/v1/cas/${digest}`,
    ]);
    if (result.status !== 0) throw new Error(`curl -T ${path} failed (${result.status}): ${result.stderr.trim()}`);
    return result;
  } finally {
    await rm(headerFile, { force: true });
  }
}

/** Forgets a blob so the next upload of the same bytes does the full work again (hash, write, fsync, rename). */
export async function forgetBlob(cp: BenchControlPlane, digest: string): Promise<void> {
  await rm(casBlobPath(cp, digest), { force: true });
}

/**
 * Before a timed upload: the blob forgotten and the disk idle. `sync` waits for the write-back of the previous
 * upload, which would otherwise be charged to this one.
 */
export async function forgetBlobAndSettle(cp: BenchControlPlane, digest: string): Promise<void> {
  await forgetBlob(cp, digest);
  mustSucceed('sync', await timeProcess('sync', []));
}
