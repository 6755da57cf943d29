import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/bench-context';
import { forgetBlob } from '../lib/cas-upload-floor';
import { cliScenario } from '../lib/cli-scenario';
import { writeDataFile } from '../lib/data-file';
import { signingKey, signingPassword, vectors } from '../lib/paths';
import { mustSucceed, timeProcess } from '../lib/process-timer';
import { rounds } from '../lib/rounds';
import { MiB, median, sizeLabel } from '../lib/stats';
import { digestFromOpenssl, timedArtifactAdd } from '../lib/timed-add';
import type { LargeAddTimes } from './large-artifact';

const SECTION = '4 scaling';
/** Past this the per-MiB cost of the biggest add grew more than the upload floor's did: not linear any more. */
const LINEARITY_LIMIT = 1.25;

/**
 * §4a: `attestation add` time from 1 MiB up to the large sizes of §1 (whose runs are reused): time should grow
 * linearly with size, i.e. MiB/s flat once process start-up is amortised.
 */
export async function benchAddScaling(ctx: BenchContext, largeAddTimes: LargeAddTimes): Promise<void> {
  const scenario = await cliScenario(ctx, 'scale-add');
  await scenario.run(['attestation', 'init']);
  const times = new Map<number, number[]>();
  for (const size of ctx.options.scalingSizes) {
    if (largeAddTimes.has(size)) continue;
    const path = join(ctx.scratch, `scale-${size}.bin`);
    writeDataFile(path, size);
    const digest = digestFromOpenssl(
      mustSucceed('openssl dgst', await timeProcess('openssl', ['dgst', '-sha256', path])).stdout,
    );
    try {
      const samples: number[] = [];
      for (const round of rounds(ctx.options)) {
        const { ms } = await timedArtifactAdd(ctx.cp, scenario, { path, size, digest });
        if (!round.warmUp) samples.push(ms);
      }
      times.set(size, samples);
      ctx.log(`§4 add ${sizeLabel(size)}: ${Math.round(median(samples))} ms`);
    } finally {
      await rm(path, { force: true });
      await forgetBlob(ctx.cp, digest);
    }
  }
  for (const [size, { add }] of largeAddTimes) times.set(size, add);
  const sizes = [...times.keys()].sort((a, b) => a - b);
  for (const size of sizes) {
    const value = median(times.get(size) ?? []);
    ctx.results.add({
      section: SECTION,
      measure: `add ARTIFACT ${sizeLabel(size)}`,
      value,
      unit: 'ms',
      samples: times.get(size),
      ratio: `${(size / MiB / (value / 1000)).toFixed(0)} MiB/s`,
    });
  }
  if (sizes.length >= 2) {
    const [before, last] = sizes.slice(-2);
    const perMiB = (samples: number[] | undefined, size: number) => median(samples ?? []) / (size / MiB);
    const growth = perMiB(times.get(last), last) / perMiB(times.get(before), before);
    // The disk's write-back slows the upload floor itself at the biggest size: linear means no worse than that.
    const floorBefore = largeAddTimes.get(before)?.upload;
    const floorLast = largeAddTimes.get(last)?.upload;
    const floorGrowth = floorBefore && floorLast ? perMiB(floorLast, last) / perMiB(floorBefore, before) : 1;
    ctx.results.add({
      section: SECTION,
      measure: `add linearity: ms/MiB at ${sizeLabel(last)} ÷ at ${sizeLabel(before)}`,
      value: growth,
      unit: '×',
      baseline: floorBefore && floorLast ? { name: 'same for curl -T', value: floorGrowth } : undefined,
      budget: `≤ ${LINEARITY_LIMIT}× the upload floor's`,
      met: growth <= LINEARITY_LIMIT * floorGrowth,
    });
  }
}

/**
 * §4b: status and push of an attestation holding 10, 100, 1,000 materials (contract-free strings, added with one
 * `add --materials-file`, after the contract's five): the per-material cost should stay flat, no quadratic step.
 */
export async function benchMaterialScaling(ctx: BenchContext): Promise<void> {
  const rows: Array<{ count: number; add: number[]; status: number[]; push: number[] }> = [];
  for (const count of ctx.options.materialCounts) {
    const scenario = await cliScenario(ctx, `scale-${count}`, { CHAINLOOP_SIGNING_PASSWORD: signingPassword });
    const list = join(scenario.dir, 'materials.txt');
    const artifact = join(scenario.dir, 'artifact.txt');
    await writeFile(artifact, 'artifact\n');
    // The contract's five required materials first (so push accepts it), then the N contract-free strings.
    const lines = [
      'build-ref=a206e709cc21b1bf8e262604a23f9d0fc51a293a',
      `image=${ctx.image}`,
      `artifact=${artifact}`,
      `sbom=${join(vectors, 'materials', 'sbom.cyclonedx-1.5.json')}`,
      `junit=${join(vectors, 'materials', 'junit.xml')}`,
      ...Array.from({ length: count }, (_, i) => `STRING:m-${String(i).padStart(5, '0')}=value-${i}-${'x'.repeat(40)}`),
    ];
    await writeFile(list, `${lines.join('\n')}\n`);
    const row = { count, add: [] as number[], status: [] as number[], push: [] as number[] };
    for (const round of rounds(ctx.options)) {
      await scenario.run(['attestation', 'init']);
      const add = await scenario.run(['attestation', 'add', '--materials-file', list]);
      const status = await scenario.run(['attestation', 'status']);
      const push = await scenario.run(['attestation', 'push', '--key', signingKey]);
      ctx.log(
        `§4 ${count} materials ${round.label}: add ${Math.round(add.ms)} ms, status ${Math.round(status.ms)} ms, push ${Math.round(push.ms)} ms`,
      );
      if (round.warmUp) continue;
      row.add.push(add.ms);
      row.status.push(status.ms);
      row.push.push(push.ms);
    }
    rows.push(row);
  }
  for (const key of ['add', 'status', 'push'] as const) {
    const label = { add: 'add --materials-file (one command)', status: 'status', push: 'push --key' }[key];
    let previous: { count: number; value: number } | undefined;
    for (const row of rows) {
      const value = median(row[key]);
      const marginal = previous ? (value - previous.value) / (row.count - previous.count) : undefined;
      ctx.results.add({
        section: SECTION,
        measure: `${label}, ${row.count} materials`,
        value,
        unit: 'ms',
        samples: row[key],
        ratio: marginal === undefined ? undefined : `+${marginal.toFixed(2)} ms/material`,
      });
      previous = { count: row.count, value };
    }
  }
}
