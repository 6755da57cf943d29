import { readFile, writeFile } from 'node:fs/promises';

/**
 * Peak RSS of a running process (the server) over a phase: `clear_refs` 5 resets the kernel's high-water mark
 * (VmHWM) to the current RSS, and VmHWM read at the end is the phase's peak.
 */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

export async function peakRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]);
}
