import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSigningKey, type Signer } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import {
  addMaterial,
  type CraftingContext,
  initAttestation,
  pushAttestation,
  silentLogger,
} from '@chainloop-ts/core/crafter';
import type { BenchContext } from '../lib/bench-context';
import { EndpointLatencies, serverLatencies } from '../lib/endpoint-timer';
import { measureHttpFloor } from '../lib/http-floor';
import { benchFixtures, signingKey, signingPassword, vectors } from '../lib/paths';
import { cpuMs } from '../lib/peak-rss';
import { median, percentile } from '../lib/stats';

const SECTION = '5 control plane load';
/** Left out of the CPU-per-attestation figure (a quarter of the load time when that is shorter). */
const WARM_UP_MS = 10_000;
/** The HTTP floor's own load time: a bare server reaches its steady state within seconds. */
const FLOOR_SECONDS = 20;
const loadContract = readFileSync(join(benchFixtures, 'load-contract.yaml'), 'utf8');
const JUNIT_REPORT = join(vectors, 'materials', 'junit.xml');

export interface StoredRun {
  workflow: string;
  runId: string;
  digest: string;
  /** The fresh artifact's sha256, uploaded to the CAS in this cycle. */
  artifactDigest: string;
}

export interface LoadClient {
  workflow: string;
  /** Its robot's client, not timed (the crafting context's is). */
  client: ControlPlaneClient;
  context: CraftingContext;
  dir: string;
}

/** `count` workflows (load-contract.yaml), each with its robot, and a client crafting for it against `baseUrl`. */
export async function createLoadClients(
  admin: ControlPlaneClient,
  options: { baseUrl: string; count: number; prefix: string; scratch: string; latencies: EndpointLatencies },
): Promise<LoadClient[]> {
  const clients: LoadClient[] = [];
  for (let i = 0; i < options.count; i++) {
    const workflow = `${options.prefix}-${i}`;
    const created = await admin.createWorkflow({ name: workflow, team: 'bench', project: 'load' });
    await admin.updateContract(created.id, loadContract);
    const robot = await admin.createRobotAccount(created.id);
    const dir = join(options.scratch, workflow);
    await mkdir(dir, { recursive: true });
    const client = new ControlPlaneClient({ baseUrl: options.baseUrl, token: robot.token ?? '' });
    clients.push({
      workflow,
      client,
      dir,
      context: {
        env: { PATH: process.env.PATH },
        cwd: dir,
        log: silentLogger,
        client: options.latencies.instrument(client),
      },
    });
  }
  return clients;
}

/**
 * §5: N concurrent clients, each looping init → 3 adds (string, 16 KiB artifact with fresh bytes, an unchanged JUnit
 * report) → push for the given time. No image: resolving it would load the registry, not the control plane. The clients are the core library in this process (ControlPlaneClient and the crafter
 * functions a CLI command calls), not CLI processes: on 2 cores, spawning node for every step would measure process
 * start-up, not the server. Afterwards every stored attestation is fetched back and its digest checked.
 */
export async function benchLoad(ctx: BenchContext): Promise<void> {
  const { loadClients: clients, loadSeconds: seconds } = ctx.options;
  const signer = await loadSigningKey(signingKey, { password: signingPassword });
  const admin = ctx.cp.admin();
  const latencies = new EndpointLatencies();
  const workers = await createLoadClients(admin, {
    baseUrl: ctx.cp.url,
    count: clients,
    prefix: 'load',
    scratch: ctx.scratch,
    latencies,
  });
  ctx.cp.takeLog();
  ctx.log(`§5 ${clients} clients for ${seconds} s`);

  const serverCpuBefore = await cpuMs(ctx.cp.pid);
  const stored: StoredRun[] = [];
  const errors: string[] = [];
  const cycleMs: number[] = [];
  const started = Date.now();
  const deadline = started + seconds * 1000;
  // CPU per attestation is what a running server pays: its first seconds (V8 still compiling the hot paths) are left
  // out of that figure, and only of that one.
  const warmUpMs = Math.min(WARM_UP_MS, (seconds * 1000) / 4);
  const window = measureAfter(warmUpMs, async () => ({ cpuMs: await cpuMs(ctx.cp.pid), stored: stored.length }));
  await Promise.all(
    workers.map(async (worker) => {
      while (Date.now() < deadline) {
        const cycleStarted = process.hrtime.bigint();
        try {
          stored.push(await craftOne(worker, signer));
          cycleMs.push(Number(process.hrtime.bigint() - cycleStarted) / 1e6);
        } catch (error) {
          errors.push(`${worker.workflow}: ${(error as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const serverCpuAfter = await cpuMs(ctx.cp.pid);
  const serverCpuShare = (serverCpuAfter - serverCpuBefore) / (elapsed * 1000);
  const warm = await window;
  const storedAfterWarmUp = stored.length - warm.stored;
  const cpuPerAttestation = (serverCpuAfter - warm.cpuMs) / Math.max(1, storedAfterWarmUp);
  const server = serverLatencies(ctx.cp.takeLog());
  const verified = await verifyStored(admin, stored, (line) => ctx.log(`§5 ${line}`));

  // The floor, after the load so the two never share the cores: the same clients' six requests per cycle to a bare
  // node:http server answering with this control plane's recorded answers (bench/lib/http-floor.ts).
  const recorder = workers[0];
  const floorSeconds = Math.min(seconds, FLOOR_SECONDS);
  const floor = await measureHttpFloor(
    {
      contract: await recorder.client.getCraftingContract(),
      run: await recorder.client.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' }),
      bundleJson: stored[0] ? (await admin.getAttestation(stored[0].runId)).bundle : '{}',
      knownDigest: `sha256:${createHash('sha256').update(readFileSync(JUNIT_REPORT)).digest('hex')}`,
      artifactPath: join(recorder.dir, 'artifact.bin'),
    },
    { clients, seconds: floorSeconds, warmUpMs: (floorSeconds * 1000) / 4, scratch: ctx.scratch },
  );
  ctx.log(`§5 HTTP floor: ${floor.cpuPerCycle.toFixed(2)} ms CPU per cycle over ${floor.cycles} cycles`);

  ctx.log(`§5 ${stored.length} attestations in ${elapsed.toFixed(1)} s, ${errors.length} errors`);
  for (const message of errors.slice(0, 5)) ctx.log(`§5 error: ${message}`);
  for (const line of server.unexpected.slice(0, 5)) ctx.log(`§5 server: ${line}`);

  const rate = stored.length / elapsed;
  ctx.results.add({
    section: SECTION,
    measure: `attestations stored per second (${clients} clients, ${seconds} s, init → 3 adds → push)`,
    value: rate,
    unit: '/s',
    note: `${stored.length} stored in ${elapsed.toFixed(1)} s`,
  });
  ctx.results.add({
    section: SECTION,
    measure: 'control plane CPU during the load (1.0 = one core busy)',
    value: serverCpuShare,
    unit: 'cores',
    note: `the ${clients} clients share the same cores from the bench process; compare client- and server-side latencies`,
  });
  ctx.results.add({
    section: SECTION,
    measure: `control plane CPU per stored attestation (after ${(warmUpMs / 1000).toFixed(0)} s of warm-up)`,
    value: cpuPerAttestation,
    unit: 'ms',
    note: `utime + stime of the server process alone (/proc/<pid>/stat, all its threads), ${storedAfterWarmUp} attestations; the load generator is the bench process`,
    baseline: { name: 'bare node:http, same 6 requests', value: floor.cpuPerCycle },
    ratio: `${(cpuPerAttestation / floor.cpuPerCycle).toFixed(2)}× the HTTP floor`,
    budget: '≤ 1.5 ms',
    met: cpuPerAttestation <= 1.5,
  });
  ctx.results.add({
    section: SECTION,
    measure: `HTTP floor: server CPU per cycle of the same 6 requests, bare node:http (${floorSeconds} s, ${clients} clients)`,
    value: floor.cpuPerCycle,
    unit: 'ms',
    note: `${floor.cycles} cycles after ${(floorSeconds / 4).toFixed(0)} s of warm-up; the server answers the control plane's recorded answers and does nothing else (bench/lib/http-floor-server.mjs)`,
  });
  ctx.results.add({
    section: SECTION,
    measure: 'client cycle time (init → push), median',
    value: median(cycleMs),
    unit: 'ms',
    ratio: `p99 ${percentile(cycleMs, 99).toFixed(0)} ms`,
  });
  const failedCalls = [...latencies.failures.values()].reduce((a, b) => a + b, 0);
  const errorCount = errors.length + server.unexpected.length;
  ctx.results.add({
    section: SECTION,
    measure: 'errors (failed cycles + error answers in the server log)',
    value: errorCount,
    unit: '',
    note: `${errors.length} failed cycles, ${failedCalls} failed calls, ${server.unexpected.length} error log lines`,
    budget: '0',
    met: errorCount === 0,
  });
  ctx.results.add({
    section: SECTION,
    measure: 'stored attestations found afterwards, digests checked',
    value: verified,
    unit: `of ${stored.length}`,
    budget: 'all',
    met: verified === stored.length,
  });
  for (const [endpoint, samples] of [...latencies.samples].sort()) {
    const serverSide = server.byRoute.get(endpoint);
    ctx.results.add({
      section: SECTION,
      measure: `${endpoint}: p50 / p99, client side (${samples.length} calls)`,
      value: percentile(samples, 50),
      unit: 'ms',
      percentiles: {
        p50: percentile(samples, 50),
        p90: percentile(samples, 90),
        p99: percentile(samples, 99),
        ...(serverSide ? { 'server p50': percentile(serverSide, 50), 'server p99': percentile(serverSide, 99) } : {}),
      },
      ratio:
        `p99 ${percentile(samples, 99).toFixed(1)} ms` +
        (serverSide
          ? `; server side p50 ${percentile(serverSide, 50).toFixed(1)}, p99 ${percentile(serverSide, 99).toFixed(1)} ms`
          : ''),
    });
  }
}

/** Takes `sample` once `delayMs` has passed; the load keeps running meanwhile. */
function measureAfter<T>(delayMs: number, sample: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => setTimeout(() => sample().then(resolve, reject), delayMs));
}

export async function craftOne(worker: LoadClient, signer: Signer): Promise<StoredRun> {
  const { context, dir } = worker;
  const { state, store } = await initAttestation(context, {
    dryRun: false,
    remoteState: false,
    replace: true,
    localStatePath: join(dir, 'state.json'),
  });
  await addMaterial(context, store, { name: 'build-ref', value: randomBytes(20).toString('hex'), annotations: {} });
  // Fresh bytes each cycle: a real upload (HEAD 404, then PUT), as a new build's artifact would be.
  const artifact = join(dir, 'artifact.bin');
  const bytes = randomBytes(16 * 1024);
  await writeFile(artifact, bytes);
  await addMaterial(context, store, { name: 'artifact', value: artifact, annotations: {} });
  // A test report that did not change: already in the CAS after the first cycle, so a HEAD and no upload.
  await addMaterial(context, store, { name: 'junit', value: JUNIT_REPORT, annotations: {} });
  const pushed = await pushAttestation(context, store, {
    signer: async () => signer,
    annotations: {},
    // No retries: a failed store must count as an error, not be hidden by a second attempt.
    retryDelaysMs: [],
  });
  if (!pushed.digest || !state.workflow.runId) throw new Error('push stored nothing');
  return {
    workflow: worker.workflow,
    runId: state.workflow.runId,
    digest: pushed.digest,
    artifactDigest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

/** Every stored attestation read back by run id: same digest, and the bundle hashes to it; run counts match. */
export async function verifyStored(
  admin: ControlPlaneClient,
  stored: StoredRun[],
  log: (line: string) => void,
): Promise<number> {
  let verified = 0;
  const queue = [...stored];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let run = queue.pop(); run; run = queue.pop()) {
        const attestation = await admin.getAttestation(run.runId);
        const actual = `sha256:${createHash('sha256').update(attestation.bundle).digest('hex')}`;
        if (attestation.digest === run.digest && actual === run.digest) verified++;
        else log(`run ${run.runId}: stored ${attestation.digest}, bundle hashes to ${actual}, pushed ${run.digest}`);
      }
    }),
  );
  const perWorkflow = new Map<string, number>();
  for (const run of stored) perWorkflow.set(run.workflow, (perWorkflow.get(run.workflow) ?? 0) + 1);
  for (const [workflow, count] of perWorkflow) {
    const runs = await admin.listRuns({ workflow, limit: 1000 });
    const succeeded = runs.filter((r) => r.status === 'succeeded').length;
    if (succeeded !== count) {
      log(`workflow ${workflow}: ${count} pushes but ${succeeded} succeeded runs`);
      verified -= Math.abs(count - succeeded);
    }
  }
  return verified;
}
