/**
 * A real forward proxy for tests: Debian's tinyproxy on 127.0.0.1 with a config written here (only 127.0.0.1 allowed,
 * a free port, optionally Basic credentials), in the foreground so its log (stderr) is ours to read. It logs one
 * `Request (file descriptor N): METHOD TARGET` line per request it relays (`CONNECT host:port` for a tunnel).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tinyproxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  origin: string;
  port: number;
  /** The proxy URL a client sets, with the credentials when it has some. */
  url: string;
  /** What it relayed so far: one `METHOD TARGET` per request (`CONNECT 127.0.0.1:8443`, `GET http://…/path`). */
  requests(): string[];
  /** Everything it logged. */
  log(): string;
  /** Stops it (idempotent): nothing listens at its port afterwards. */
  stop(): Promise<void>;
}

/** A loopback port free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function haveTinyproxy(): boolean {
  return spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export async function startTinyproxy(options: { user?: string; password?: string } = {}): Promise<Tinyproxy> {
  if (!haveTinyproxy()) {
    throw new Error(
      'tinyproxy not found: install it with bash scripts/ensure-system-deps.sh (Debian package tinyproxy)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'tinyproxy-'));
  const port = await freePort();
  const config = join(dir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'LogLevel Info',
      'MaxClients 64',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      options.user ? `BasicAuth ${options.user} ${options.password ?? ''}` : '',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Listening once it says so; a config it rejects ends it with its reason.
  const deadline = Date.now() + 10_000;
  while (!/Accepting connections/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`tinyproxy did not start on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const origin = `http://127.0.0.1:${port}`;
  const credentials = options.user
    ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@`
    : '';
  return {
    origin,
    port,
    url: `http://${credentials}127.0.0.1:${port}`,
    requests: () => [...log.matchAll(/Request \(file descriptor \d+\): (\S+ \S+)/g)].map((match) => match[1]),
    log: () => log,
    stop,
  };
}
