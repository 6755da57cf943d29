import { UsageError } from '@chainloop-ts/core';

// Two tiny unit tables; a dependency for "10GiB" and "24h" would be heavier than these lines.
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "10GiB", "512MiB", "1048576" → bytes. */
export function parseSize(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value.trim());
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError('INVALID_SIZE', `${flag} "${value}" is not a size: use bytes or a unit like 512MiB or 10GiB`);
  }
  return Math.floor(Number(match[1]) * unit);
}

/** "24h", "30m", "90s", "500ms" → milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match || Number(match[1]) <= 0) {
    throw new UsageError(
      'INVALID_DURATION',
      `${flag} "${value}" is not a duration: use a number with ms, s, m, h or d (e.g. 24h)`,
    );
  }
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

/** "127.0.0.1:8000", "[::1]:8000", ":8000" → host and port. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new UsageError(
      'INVALID_LISTEN',
      `--listen "${value}" is not host:port: use e.g. 127.0.0.1:8000 (port 0 picks a free one)`,
    );
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}
