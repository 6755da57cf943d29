/** Byte counts the way the seed prints them: `7B`, `1.5KiB`, `1.0GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(1)}${units[unit]}`;
}

/** The seed's upload line: `rootfs.tar.gz@sha256:f8a5… ... done! [7B in 0s; 34B/s]`. */
export function uploadDoneLine(fileName: string, digest: string, bytes: number, milliseconds: number): string {
  const seconds = Math.max(milliseconds, 1) / 1000;
  const rate = Math.round(bytes / seconds);
  return `${fileName}@${digest} ... done! [${formatBytes(bytes)} in ${Math.floor(seconds)}s; ${formatBytes(rate)}/s]`;
}

/**
 * The line for a file material that was hashed but not sent: `rootfs.tar.gz@sha256:f8a5… ... dry-run: not uploaded
 * [7B]` (or `skip_upload in the contract`): no "done!", no rate, for an upload that never happened.
 */
export function notUploadedLine(fileName: string, digest: string, bytes: number, reason: string): string {
  return `${fileName}@${digest} ... ${reason}: not uploaded [${formatBytes(bytes)}]`;
}
