/**
 * Runs the bundled CLI (dist/chainloop.cjs, as the current sources build it) as a user would, against a control plane
 * that the bundled CLI itself starts with `control-plane start` on an ephemeral loopback port.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { waitForListening } from '../../../control-plane/test/helpers/listening-url';
import { CONTROL_PLANE_DIST, ensureBuilt, freshCliBundle } from './fresh-build';

export const cliBundle = freshCliBundle();
export const ADMIN_TOKEN = 'cl_admin_cli-tests-token-0123456789';

/** `control-plane start` loads the control plane package's dist, which must be as fresh as the CLI. */
function buildBundles(): void {
  ensureBuilt(CONTROL_PLANE_DIST);
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
    // No command here reads stdin: never the test runner's, and a prompt gets end of file instead of waiting.
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  if (result.error) throw new Error(`chainloop ${args.join(' ')}: ${result.error.message}\n${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface CliControlPlane {
  url: string;
  dataDir: string;
  child: ChildProcess;
  logs(): string;
  /** Environment for admin commands against this server. */
  env: Record<string, string>;
  /** The first line it printed to stdout (with `{ stdout: true }`; `-o json` prints one). */
  stdoutLine(): Promise<string>;
  stop(): Promise<number | null>;
}

export async function startWithCli(
  extraArgs: string[] = [],
  adminToken: string | null = ADMIN_TOKEN,
  options: { stdout?: boolean } = {},
): Promise<CliControlPlane> {
  buildBundles();
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-cp-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CHAINLOOP_')));
  if (adminToken) env.CHAINLOOP_CP_ADMIN_TOKEN = adminToken;
  const child = spawn(
    process.execPath,
    [cliBundle, 'control-plane', 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs],
    { env, stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'] },
  );
  let stdout = '';
  // Bounded, so a server that never prints one fails the test (which then stops it) instead of hanging it.
  const stdoutLine = new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('startWithCli: pass { stdout: true } to read its stdout'));
    const timer = setTimeout(
      () => reject(new Error(`no line on stdout after 15 s: ${JSON.stringify(stdout)}`)),
      15_000,
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before printing a line to stdout: ${JSON.stringify(stdout)}`));
    });
  });
  // Read only when asked for; an unread rejection must not fail the test process.
  stdoutLine.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = waitForListening(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // A server stuck in its shutdown must not hold the test process open for ever.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      exited.finally(() => clearTimeout(timer));
    }
    const code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  let url: string;
  try {
    url = await started.url;
  } catch (error) {
    // Silent for too long: stop it, or the test process waits on it after the failure.
    await stop();
    throw error;
  }
  return {
    url,
    dataDir,
    child,
    logs: started.output,
    env: { CHAINLOOP_CONTROL_PLANE_API: url, CHAINLOOP_TOKEN: adminToken ?? '' },
    stdoutLine: () => stdoutLine,
    stop,
  };
}

export interface EmbeddedControlPlane {
  /** A scratch folder for the describe block's jobs, removed after it. */
  root: string;
  server: CliControlPlane;
  admin: ControlPlaneClient;
}

/**
 * For a describe block: a control plane started with the CLI before its tests (stopped after), an admin client for
 * it, and a scratch folder. Call it inside the describe so the hooks belong to that block.
 */
export function embeddedControlPlane(prefix: string): EmbeddedControlPlane {
  const embedded = { root: mkdtempSync(join(tmpdir(), prefix)) } as EmbeddedControlPlane;
  before(async () => {
    embedded.server = await startWithCli();
    embedded.admin = new ControlPlaneClient({ baseUrl: embedded.server.url, token: ADMIN_TOKEN });
  });
  after(async () => {
    await embedded.server?.stop();
    rmSync(embedded.root, { recursive: true, force: true });
  });
  return embedded;
}
