import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/bench-context';
import { curlUpload, forgetBlob, forgetBlobAndSettle } from '../lib/cas-upload-floor';
import { cliScenario } from '../lib/cli-scenario';
import { writeDataFile } from '../lib/data-file';
import { cpuMs, peakRssKiB, resetPeakRss } from '../lib/peak-rss';
import { mustSucceed, timeProcess } from '../lib/process-timer';
import { rounds } from '../lib/rounds';
import { MiB, max, median, sizeLabel } from '../lib/stats';
import { type AddRun, digestFromOpenssl, timedArtifactAdd } from '../lib/timed-add';

const SECTION = '1 large artifact';
export const RSS_BUDGET_MIB = 150;
const THROUGHPUT_BUDGET = 0.8;

/** Per size: the add runs and the upload floor's runs (ms), for the scaling curve of §4. */
export type LargeAddTimes = Map<number, { add: number[]; upload: number[] }>;

/**
 * §1: `attestation add` of big ARTIFACTs (hash + upload in one pass) against the two physical floors measured in
 * the same rounds: `openssl dgst -sha256` (hashing) and `curl -T` to the same CAS (upload). Runs are interleaved
 * (openssl, curl, add, openssl, …) so load from elsewhere hits all three alike. Returns the add times per size for
 * the scaling curve.
 */
export async function benchLargeArtifacts(ctx: BenchContext): Promise<LargeAddTimes> {
  const scenario = await cliScenario(ctx, 'large');
  await scenario.run(['attestation', 'init']);
  const addTimes: LargeAddTimes = new Map();
  for (const size of ctx.options.largeSizes) {
    const path = join(ctx.scratch, `payload-${size}.bin`);
    ctx.log(`§1 writing ${sizeLabel(size)} of data to ${path}`);
    writeDataFile(path, size);
    let digest: string | undefined;
    try {
      const hashMs: number[] = [];
      const uploadMs: number[] = [];
      const uploadServerCpuMs: number[] = [];
      const adds: AddRun[] = [];
      for (const [index, round] of rounds(ctx.options).entries()) {
        const openssl = mustSucceed('openssl dgst', await timeProcess('openssl', ['dgst', '-sha256', path]));
        digest = digestFromOpenssl(openssl.stdout);
        const file = { path, size, digest };
        const curlRun = async () => {
          await forgetBlobAndSettle(ctx.cp, file.digest);
          await resetPeakRss(ctx.cp.pid);
          const serverCpuBefore = await cpuMs(ctx.cp.pid);
          const result = await curlUpload(ctx.cp, ctx.robotToken, path, file.digest, scenario.dir);
          return {
            ms: result.ms,
            serverRssKiB: await peakRssKiB(ctx.cp.pid),
            serverCpuMs: (await cpuMs(ctx.cp.pid)) - serverCpuBefore,
          };
        };
        const addRun = () => timedArtifactAdd(ctx.cp, scenario, file);
        // Alternate which upload goes first: whichever follows the other inherits its disk write-back.
        const curl = index % 2 === 0 ? await curlRun() : undefined;
        const add = await addRun();
        const curlResult = curl ?? (await curlRun());
        const curlServerRss = curlResult.serverRssKiB;
        ctx.log(
          `§1 ${sizeLabel(size)} ${round.label}: openssl ${ms(openssl.ms)}, curl ${ms(curlResult.ms)} ` +
            `(server ${mib(curlServerRss)}, cpu ${ms(curlResult.serverCpuMs)}), add ${ms(add.ms)} ` +
            `(cli ${mib(add.cliRssKiB)}, cpu ${ms(add.cliCpuMs)}; server ${mib(add.serverRssKiB)}, cpu ${ms(add.serverCpuMs)})`,
        );
        if (round.warmUp) continue;
        hashMs.push(openssl.ms);
        uploadMs.push(curlResult.ms);
        uploadServerCpuMs.push(curlResult.serverCpuMs);
        adds.push(add);
      }
      addTimes.set(size, { add: adds.map((a) => a.ms), upload: uploadMs });
      report(ctx, size, hashMs, uploadMs, adds);
      ctx.results.add({
        section: SECTION,
        measure: `CPU time, add ${sizeLabel(size)}: CLI + control plane`,
        value: median(adds.map((a) => a.cliCpuMs)) + median(adds.map((a) => a.serverCpuMs)),
        unit: 'ms',
        note:
          `CLI ${Math.round(median(adds.map((a) => a.cliCpuMs)))} ms, control plane ${Math.round(median(adds.map((a) => a.serverCpuMs)))} ms; ` +
          `curl -T: control plane ${Math.round(median(uploadServerCpuMs))} ms`,
      });
    } finally {
      await rm(path, { force: true });
      if (digest) await forgetBlob(ctx.cp, digest);
    }
  }
  return addTimes;
}

function report(ctx: BenchContext, size: number, hashMs: number[], uploadMs: number[], adds: AddRun[]): void {
  const label = sizeLabel(size);
  const throughput = (samples: number[]) => size / MiB / (median(samples) / 1000);
  const hash = throughput(hashMs);
  const upload = throughput(uploadMs);
  const add = throughput(adds.map((a) => a.ms));
  const slower = hash <= upload ? { name: 'openssl dgst', value: hash } : { name: 'curl -T', value: upload };
  ctx.results.add({
    section: SECTION,
    measure: `hashing floor: openssl dgst -sha256, ${label}`,
    value: hash,
    unit: 'MiB/s',
    samples: hashMs,
    size,
    series: 'hashing floor (openssl dgst)',
  });
  ctx.results.add({
    section: SECTION,
    measure: `upload floor: curl -T to PUT /v1/cas, ${label}`,
    value: upload,
    unit: 'MiB/s',
    samples: uploadMs,
    size,
    series: 'upload floor (curl -T)',
  });
  ctx.results.add({
    section: SECTION,
    measure: `attestation add ARTIFACT, ${label} (hash + upload)`,
    value: add,
    unit: 'MiB/s',
    samples: adds.map((a) => a.ms),
    size,
    series: 'attestation add',
    baseline: { name: `slower floor (${slower.name})`, value: slower.value },
    ratio: `${(add / slower.value).toFixed(2)}×`,
    budget: `≥ ${THROUGHPUT_BUDGET}× slower floor`,
    met: add >= THROUGHPUT_BUDGET * slower.value,
  });
  const cliPeak = max(adds.map((a) => a.cliRssKiB)) / 1024;
  const serverPeak = max(adds.map((a) => a.serverRssKiB)) / 1024;
  ctx.results.add({
    section: SECTION,
    measure: `peak RSS of the CLI, add ${label}`,
    value: cliPeak,
    unit: 'MiB',
    samples: adds.map((a) => a.cliRssKiB / 1024),
    budget: `< ${RSS_BUDGET_MIB} MiB`,
    met: cliPeak < RSS_BUDGET_MIB,
  });
  ctx.results.add({
    section: SECTION,
    measure: `peak RSS of the control plane, add ${label}`,
    value: serverPeak,
    unit: 'MiB',
    samples: adds.map((a) => a.serverRssKiB / 1024),
    budget: `< ${RSS_BUDGET_MIB} MiB`,
    met: serverPeak < RSS_BUDGET_MIB,
  });
}

const ms = (value: number) => `${Math.round(value)} ms`;
const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;
