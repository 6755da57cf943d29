import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { controlPlaneBin } from './paths';

export interface BenchControlPlane {
  url: string;
  pid: number;
  adminToken: string;
  dataDir: string;
  admin(): ControlPlaneClient;
  /** Request log lines (`METHOD /path STATUS 1.2ms`) written since the last call. */
  takeLog(): string[];
  stop(): Promise<void>;
}

/**
 * A real control plane process (the built bin) on an ephemeral loopback port, data dir on the bench's disk. Its pid
 * is exposed so its peak RSS can be read from /proc.
 */
export async function startControlPlane(workDir: string): Promise<BenchControlPlane> {
  const dataDir = await mkdtemp(join(workDir, 'cp-'));
  const adminToken = `cl_admin_bench_${randomBytes(16).toString('hex')}`;
  const child = spawn(process.execPath, [controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CHAINLOOP_CP_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let pending = '';
  let lines: string[] = [];
  let startup = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`control plane did not start in 20 s:\n${lines.join('\n')}`)),
      20_000,
    );
    const onData = () => {
      startup = lines.join('\n');
      const match = /listening on (http:\/\/\S+)/.exec(startup);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code} before listening:\n${lines.join('\n')}`));
    });
  });
  lines = [];
  if (child.pid === undefined) throw new Error('control plane has no pid');
  return {
    url,
    pid: child.pid,
    adminToken,
    dataDir,
    admin: () => new ControlPlaneClient({ baseUrl: url, token: adminToken }),
    takeLog: () => {
      const taken = lines;
      lines = [];
      return taken;
    },
    stop: async () => {
      await stopProcess(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Where the filesystem CAS keeps a blob (packages/control-plane/src/cas/filesystem-backend.ts). */
export function casBlobPath(cp: BenchControlPlane, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(cp.dataDir, 'cas', 'sha256', hex.slice(0, 2), hex);
}
