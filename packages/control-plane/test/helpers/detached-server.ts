/**
 * A control plane process whose stderr goes somewhere the test cannot read as a pipe (a file on a full disk,
 * /dev/full): it listens on a port chosen here and is ready once /healthz answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { buildControlPlane, controlPlaneBin, TEST_ADMIN_TOKEN } from './control-plane-process';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

export interface DetachedServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function startDetached(options: {
  dataDir: string;
  stderr: number | 'pipe' | 'ignore';
  args?: string[];
  port?: number;
}): Promise<DetachedServer> {
  buildControlPlane();
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [controlPlaneBin, 'start', '--listen', `127.0.0.1:${port}`, '--data-dir', options.dataDir, ...(options.args ?? [])],
    {
      env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
      stdio: ['ignore', 'ignore', options.stderr],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`control plane exited with ${child.exitCode} before answering`);
    const ready = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('control plane did not answer /healthz in 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
