/**
 * The real control plane for client tests: packages/control-plane built (dist/bin.cjs) and started on an
 * ephemeral loopback port with a temp data dir.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForListening } from '../../../../control-plane/test/helpers/listening-url';

const controlPlaneDir = join(import.meta.dirname, '..', '..', '..', '..', 'control-plane');
export const ADMIN_TOKEN = 'cl_admin_client-tests-token-0123456789';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

let built = false;

export async function startControlPlane(): Promise<RunningServer> {
  if (!built) {
    const result = spawnSync(process.execPath, ['build.mjs'], { cwd: controlPlaneDir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`building the control plane failed: ${result.stderr}`);
    built = true;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'client-cp-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(controlPlaneDir, 'dist', 'bin.cjs'), 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--quiet'],
    { env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitForListening(child).url;
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A scripted HTTP server for faults the real one never produces (5xx bursts, proxies, corrupted bytes). */
export async function startScriptedServer(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<RunningServer & { requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
