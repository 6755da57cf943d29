/**
 * Runs the bundled CLI (dist/chainloop.cjs, rebuilt once per test process) as a user would, against a control plane
 * that the bundled CLI itself starts with `control-plane start` on an ephemeral loopback port.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForListening } from '../../../control-plane/test/helpers/listening-url';

const cliDir = join(import.meta.dirname, '..', '..');
const controlPlaneDir = join(cliDir, '..', 'control-plane');
export const cliBundle = join(cliDir, 'dist', 'chainloop.cjs');
export const ADMIN_TOKEN = 'cl_admin_cli-tests-token-0123456789';

let built = false;
function buildBundles(): void {
  if (built) return;
  for (const dir of [controlPlaneDir, cliDir]) {
    const result = spawnSync(process.execPath, ['build.mjs'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`node build.mjs in ${dir} failed: ${result.stderr}`);
  }
  built = true;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chainloop ARGS` with the environment given (no CHAINLOOP_* leaks in from the outer environment). */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): CliResult {
  buildBundles();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CHAINLOOP_')));
  const result = spawnSync(process.execPath, [cliBundle, ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    cwd,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface CliControlPlane {
  url: string;
  dataDir: string;
  child: ChildProcess;
  logs(): string;
  /** Environment for admin commands against this server. */
  env: Record<string, string>;
  stop(): Promise<number | null>;
}

export async function startWithCli(
  extraArgs: string[] = [],
  adminToken: string | null = ADMIN_TOKEN,
): Promise<CliControlPlane> {
  buildBundles();
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-cp-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CHAINLOOP_')));
  if (adminToken) env.CHAINLOOP_CP_ADMIN_TOKEN = adminToken;
  const child = spawn(
    process.execPath,
    [cliBundle, 'control-plane', 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = waitForListening(child);
  const url = await started.url;
  return {
    url,
    dataDir,
    child,
    logs: started.output,
    env: { CHAINLOOP_CONTROL_PLANE_API: url, CHAINLOOP_TOKEN: adminToken ?? '' },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
