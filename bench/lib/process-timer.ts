import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time: the child's peak RSS (getrusage ru_maxrss) without polling. Debian package `time`. */
export const GNU_TIME = '/usr/bin/time';

export interface TimedProcess {
  /** Wall time from spawn to exit, as the bench process saw it. */
  ms: number;
  /** Peak resident set of the command in KiB (only when asked for; GNU time adds ~1 ms). */
  maxRssKiB?: number;
  /** CPU time (user + system) of the command in ms, with the peak RSS. */
  cpuMs?: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface TimeOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Measure the peak RSS of the command through GNU time. */
  rss?: boolean;
}

/** Runs a command to completion and times it; a non-zero exit is returned, not thrown (see `mustSucceed`). */
export async function timeProcess(command: string, args: string[], options: TimeOptions = {}): Promise<TimedProcess> {
  const rssFile = options.rss ? join(tmpdir(), `bench-rss-${randomBytes(6).toString('hex')}`) : undefined;
  if (rssFile && !existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME} not found: install the Debian package "time" (scripts/ensure-system-deps.sh)`);
  }
  const [file, argv] = rssFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(file, argv, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
    },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let maxRssKiB: number | undefined;
  let cpuMs: number | undefined;
  if (rssFile) {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    await rm(rssFile, { force: true });
    // GNU time writes "Command exited with non-zero status N" before the figures on failure.
    const [rss, user, system] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (Number.isFinite(rss)) maxRssKiB = rss;
    if (Number.isFinite(user) && Number.isFinite(system)) cpuMs = (user + system) * 1000;
  }
  return { ms, maxRssKiB, cpuMs, status, stdout, stderr };
}

/** Throws with the command's output when it failed: a bench figure of a failed run means nothing. */
export function mustSucceed(what: string, result: TimedProcess): TimedProcess {
  if (result.status !== 0) {
    throw new Error(`${what} exited with ${result.status}:\n${result.stderr.trim()}\n${result.stdout.trim()}`.trim());
  }
  return result;
}
