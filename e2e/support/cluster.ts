/**
 * The scale-out deployment, for real on loopback: PostgreSQL, a CNCF distribution registry as the CAS, N
 * control-plane replicas that share nothing else (each its own data dir; the admin token and the keyless CA given to
 * all), and HAProxy in front balancing every request and health-checking `/readyz`. A replica can be killed with
 * SIGKILL and started again on its port, as an orchestrator would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { type PostgresServer, startPostgres } from '../../packages/control-plane/test/helpers/postgres-server';
import { type RunningRegistry, startRegistry, storedBlobs } from '../../packages/core/test/oci/fixtures/registry';
import { startControlPlane, type TestControlPlane } from './control-plane';
import { repoRoot } from './paths';

export interface Replica {
  name: string;
  port: number;
  /** Undefined while it is down. */
  process: TestControlPlane | undefined;
}

export interface Cluster {
  /** HAProxy's frontend: what CI jobs talk to. */
  url: string;
  adminToken: string;
  replicas: Replica[];
  registry: { server: RunningRegistry; casUrl: string; blobs(): string[] };
  databaseUrl: string;
  postgres: PostgresServer;
  admin(): ControlPlaneClient;
  /** `kill -9` of one replica: no shutdown, no goodbye to open connections. */
  kill(replica: Replica): void;
  /** Starts a killed replica again on its own port (HAProxy's health check brings it back into rotation). */
  restart(replica: Replica): Promise<void>;
  /** The complete request log lines each replica wrote since the last call, by replica name. */
  takeLogs(): Record<string, string[]>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  replicas: number;
  /** Where replicas keep their data dirs (the bench puts them on its work disk); a temp dir by default. */
  workDir?: string;
  /** Extra `control-plane start` arguments for every replica. */
  args?: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The HAProxy configuration of docs/deployment.md, as printed there, with only the frontend's address and the
 * replicas' addresses replaced by these loopback ones: what the guide tells users is what the tests run.
 */
export function haproxyConfig(frontendPort: number, replicas: Replica[]): string {
  const guide = readFileSync(join(repoRoot, 'docs', 'deployment.md'), 'utf8');
  const block = /```haproxy\n([\s\S]*?)```/.exec(guide);
  if (!block) throw new Error('docs/deployment.md has no haproxy block');
  const lines = block[1].split('\n');
  const servers = lines.filter((line) => /^\s*server\s/.test(line));
  if (servers.length === 0 || !lines.some((line) => /^\s*bind :8000$/.test(line))) {
    throw new Error('docs/deployment.md: the haproxy block has no "bind :8000" line or no server lines');
  }
  const indent = /^\s*/.exec(servers[0])?.[0] ?? '  ';
  const ours = replicas.map((replica) => `${indent}server ${replica.name} 127.0.0.1:${replica.port} check`);
  return lines
    .map((line) => line.replace(/^(\s*)bind :8000$/, `$1bind 127.0.0.1:${frontendPort}`))
    .flatMap((line) => (line === servers[0] ? ours : servers.includes(line) ? [] : [line]))
    .join('\n');
}

async function waitForBackends(url: string, count: number, child: ChildProcess): Promise<void> {
  // HAProxy starts with every server up until its first checks; wait until requests are answered through it.
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}`);
    let answered = 0;
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${url}/readyz`).catch(() => undefined);
      if (response?.status === 200) answered++;
    }
    if (answered === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`haproxy at ${url} did not answer /readyz through its ${count} replicas within 20 s`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const workDir = mkdtempSync(join(options.workDir ?? tmpdir(), 'cluster-'));
  const adminToken = `cl_admin_cluster_${randomBytes(16).toString('hex')}`;
  const postgres = await startPostgres();
  const server = await startRegistry();
  const registry = { server, casUrl: `oci://${server.host}/chainloop/cas`, blobs: () => storedBlobs(server) };
  const databaseUrl = await postgres.createDatabase();
  const replicas: Replica[] = [];
  let haproxy: ChildProcess | undefined;
  const stopAll = async () => {
    haproxy?.kill('SIGKILL');
    await Promise.allSettled(replicas.map((replica) => replica.process?.stop()));
    await server.stop();
    postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const shared = ['--database-url', databaseUrl, '--cas', registry.casUrl, '--cas-insecure', ...(options.args ?? [])];
    // The first replica creates the keyless CA; the others are given its files, as a deployment gives one CA to all.
    const firstDir = join(workDir, 'replica-1');
    const caFiles = [
      '--ca-cert',
      join(firstDir, 'signing-ca', 'ca.pem'),
      '--ca-key',
      join(firstDir, 'signing-ca', 'ca.key'),
    ];
    const argsOf = (index: number, port: number) => [
      '--listen',
      `127.0.0.1:${port}`,
      ...shared,
      ...(index === 0 ? [] : caFiles),
    ];
    const launch = (index: number, port: number) =>
      startControlPlane({ dataDir: join(workDir, `replica-${index + 1}`), adminToken, args: argsOf(index, port) });
    for (let index = 0; index < options.replicas; index++) {
      const process = await launch(index, 0);
      replicas.push({ name: `replica-${index + 1}`, port: Number(new URL(process.url).port), process });
    }
    const frontendPort = await freePort();
    const configFile = join(workDir, 'haproxy.cfg');
    writeFileSync(configFile, haproxyConfig(frontendPort, replicas));
    haproxy = spawn('haproxy', ['-f', configFile, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyOutput = '';
    haproxy.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      haproxyOutput += chunk;
    });
    const url = `http://127.0.0.1:${frontendPort}`;
    await waitForBackends(url, options.replicas, haproxy).catch((error: Error) => {
      throw new Error(`${error.message}\n${haproxyOutput}`);
    });
    for (const replica of replicas) replica.process?.takeLog();
    return {
      url,
      adminToken,
      replicas,
      registry,
      databaseUrl,
      postgres,
      admin: () => new ControlPlaneClient({ baseUrl: url, token: adminToken }),
      kill(replica) {
        if (!replica.process) return;
        process.kill(replica.process.pid, 'SIGKILL');
        replica.process = undefined;
      },
      async restart(replica) {
        const index = replicas.indexOf(replica);
        replica.process = await launch(index, replica.port);
      },
      takeLogs() {
        return Object.fromEntries(replicas.map((replica) => [replica.name, replica.process?.takeLog() ?? []]));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
