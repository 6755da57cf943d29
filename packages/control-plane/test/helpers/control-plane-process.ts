/**
 * Starts the real control plane binary (dist/bin.cjs, rebuilt once per test process) on 127.0.0.1 with an
 * ephemeral port and a temp data dir, and stops it. Tests talk to it over HTTP like any client.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { waitForListening } from './listening-url';

const packageDir = join(import.meta.dirname, '..', '..');
export const controlPlaneBin = join(packageDir, 'dist', 'bin.cjs');
export const TEST_ADMIN_TOKEN = 'cl_admin_test-token-for-the-suite-only';

// Whatever a test fails on, no server it started outlives the test file.
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

let built = false;
export function buildControlPlane(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['build.mjs'], { cwd: packageDir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the control plane failed: ${result.stderr}`);
  built = true;
}

export interface ControlPlaneProcess {
  url: string;
  adminToken: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  logs(): string;
  admin(): ControlPlaneClient;
  client(token: string): ControlPlaneClient;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  /** Undefined uses TEST_ADMIN_TOKEN through CHAINLOOP_CP_ADMIN_TOKEN; null lets the server generate one. */
  adminToken?: string | null;
  /** Variables added to the server's environment. */
  env?: Record<string, string>;
}

export function makeTempDir(prefix = 'cp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startControlPlaneProcess(options: StartOptions = {}): Promise<ControlPlaneProcess> {
  buildControlPlane();
  const dataDir = options.dataDir ?? makeTempDir();
  const env = { ...process.env, ...options.env };
  delete env.CHAINLOOP_CP_ADMIN_TOKEN;
  if (options.adminToken !== null) env.CHAINLOOP_CP_ADMIN_TOKEN = options.adminToken ?? TEST_ADMIN_TOKEN;
  const child = spawn(
    process.execPath,
    [controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...(options.args ?? [])],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const started = waitForListening(child);
  const url = await started.url.catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
  const adminToken =
    options.adminToken === null
      ? readFileSync(join(dataDir, 'admin.token'), 'utf8').trim()
      : (options.adminToken ?? TEST_ADMIN_TOKEN);
  return {
    url,
    adminToken,
    dataDir,
    child,
    logs: started.output,
    admin: () => new ControlPlaneClient({ baseUrl: url, token: adminToken, retries: 0 }),
    client: (token: string) => new ControlPlaneClient({ baseUrl: url, token, retries: 0 }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Starts several at once; if any fails to start, the others are stopped before the error is thrown. */
export async function startControlPlaneProcesses(...options: StartOptions[]): Promise<ControlPlaneProcess[]> {
  const results = await Promise.allSettled(options.map((each) => startControlPlaneProcess(each)));
  const failed = results.find((result) => result.status === 'rejected');
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failed) {
    await Promise.all(started.map((server) => server.stop()));
    throw failed.reason;
  }
  return started;
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** A workflow with an uploaded contract and a robot account, as most crafting tests need. */
export async function workflowWithRobot(
  server: ControlPlaneProcess,
  name: string,
  contract = 'schemaVersion: v1\nmaterials:\n  - name: rootfs\n    type: ARTIFACT\n',
) {
  const admin = server.admin();
  const workflow = await admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
  const revision = await admin.updateContract(workflow.id, contract);
  const account = await admin.createRobotAccount(workflow.id);
  if (!account.token) throw new Error('robot account created without a token');
  return { workflow, revision, account, token: account.token, robot: server.client(account.token) };
}

/** Raw HTTP for checking statuses and headers the client hides. */
export async function call(
  server: ControlPlaneProcess,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them
): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}
