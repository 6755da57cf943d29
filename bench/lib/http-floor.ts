import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ControlPlaneClient, type CraftingContract, type WorkflowRun } from '@chainloop-ts/core/client';
import { cpuMs } from './peak-rss';

/** What the floor server answers, recorded from the real control plane (http-floor-server.mjs). */
export interface RecordedAnswers {
  contract: CraftingContract;
  run: WorkflowRun;
  /** A stored bundle, sent as every cycle's push body (the same size as the load's pushes). */
  bundleJson: string;
  /** A file the CAS already has (the JUnit report): its HEAD answers 200. */
  knownDigest: string;
  /** The file uploaded every cycle (with fresh bytes, as in the load). */
  artifactPath: string;
}

export interface HttpFloor {
  /** Server CPU per cycle of six requests, after the warm-up, in ms. */
  cpuPerCycle: number;
  cycles: number;
}

/**
 * §5's floor: the six requests of one crafting cycle (GET contract, POST run, HEAD 404 + PUT 16 KiB, HEAD 200, POST
 * the bundle), sent by `clients` ControlPlaneClients from this process to a bare node:http server in its own process
 * that answers them with the control plane's recorded answers and does nothing else. Its CPU per cycle is what Node's
 * HTTP alone costs the control plane per stored attestation on this machine.
 */
export async function measureHttpFloor(
  answers: RecordedAnswers,
  options: { clients: number; seconds: number; warmUpMs: number; scratch: string },
): Promise<HttpFloor> {
  const token = randomBytes(24).toString('base64url');
  const answersFile = join(options.scratch, 'http-floor-answers.json');
  await writeFile(
    answersFile,
    JSON.stringify({
      token,
      contract: answers.contract,
      run: answers.run,
      knownDigest: answers.knownDigest,
      blobRef: { digest: answers.knownDigest, size: 16 * 1024 },
      stored: { digest: `sha256:${createHash('sha256').update(answers.bundleJson).digest('hex')}` },
    }),
  );
  const server = spawn(process.execPath, [join(import.meta.dirname, 'http-floor-server.mjs'), answersFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`the HTTP floor server exited (${code}) before listening`)));
      createInterface({ input: server.stdout }).once('line', (line) =>
        resolve((JSON.parse(line) as { port: number }).port),
      );
    });
    const pid = server.pid ?? 0;
    const deadline = Date.now() + options.seconds * 1000;
    let cycles = 0;
    const window = new Promise<{ cpu: number; cycles: number }>((resolve, reject) =>
      setTimeout(() => cpuMs(pid).then((cpu) => resolve({ cpu, cycles }), reject), options.warmUpMs),
    );
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        const client = new ControlPlaneClient({ baseUrl: `http://127.0.0.1:${port}`, token });
        while (Date.now() < deadline) {
          const { contract } = await client.getCraftingContract();
          const run = await client.createRun({ contractRevision: contract.revision, runnerType: 'UNSPECIFIED' });
          const fresh = `sha256:${randomBytes(32).toString('hex')}`;
          if (!(await client.hasBlob(fresh))) await client.uploadBlob(fresh, answers.artifactPath);
          await client.hasBlob(answers.knownDigest);
          await client.storeAttestation(run.id, answers.bundleJson);
          cycles++;
        }
      }),
    );
    const end = await cpuMs(pid);
    const warm = await window;
    return { cpuPerCycle: (end - warm.cpu) / Math.max(1, cycles - warm.cycles), cycles: cycles - warm.cycles };
  } finally {
    server.kill('SIGTERM');
  }
}
