import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Upload temp files are named after the process that writes them — `<host>.<pid>.<process start>.<random>` — so that a
 * later start can tell the leftovers of a crashed process (kill -9 mid-upload) from uploads still running in another
 * process sharing the data directory, and remove them at once instead of after hours.
 */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '_')
    .slice(0, 64) || 'host';

/** When a process started, in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const OWN_START = processStart(process.pid) ?? '0';

export function uploadTempName(): string {
  return `${HOST}.${process.pid}.${OWN_START}.${randomBytes(8).toString('hex')}`;
}

/** True when the temp file was written by a process of this host that no longer runs. */
export function isLeftOfDeadUpload(name: string): boolean {
  const [host, pid, start] = name.split('.');
  if (host !== HOST || !/^\d+$/.test(pid ?? '')) return false;
  if (Number(pid) === process.pid) return start !== OWN_START;
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // That pid runs: it is the writer unless the pid was reused by a process started later.
  const running = processStart(Number(pid));
  return running !== undefined && start !== '0' && running !== start;
}
