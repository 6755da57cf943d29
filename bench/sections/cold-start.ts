import { join } from 'node:path';
import type { BenchContext } from '../lib/bench-context';
import { cliScenario } from '../lib/cli-scenario';
import { vectors } from '../lib/paths';
import { mustSucceed, timeProcess } from '../lib/process-timer';
import { rounds } from '../lib/rounds';
import { median } from '../lib/stats';

const SECTION = '2 cold start';
const BUDGET = 1.5;

/**
 * §2: process start to exit of the bundled CLI against `node -e 0` (the cost of starting node at all), interleaved
 * round by round. `status` reads an existing local state with materials in it and renders the tables.
 */
export async function benchColdStart(ctx: BenchContext): Promise<void> {
  const scenario = await cliScenario(ctx, 'cold');
  await scenario.run(['attestation', 'init']);
  await scenario.run([
    'attestation',
    'add',
    '--name',
    'build-ref',
    '--value',
    'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
  ]);
  await scenario.run([
    'attestation',
    'add',
    '--name',
    'sbom',
    '--value',
    join(vectors, 'materials', 'sbom.cyclonedx-1.5.json'),
  ]);

  const nodeMs: number[] = [];
  const versionMs: number[] = [];
  const statusMs: number[] = [];
  // More rounds than elsewhere: each run is ~0.1 s and start-up times are noisy on a shared machine.
  for (const round of rounds(ctx.options, 15)) {
    const node = mustSucceed('node -e 0', await timeProcess(process.execPath, ['-e', '0'], { env: scenario.env }));
    const version = await scenario.run(['--version']);
    const status = await scenario.run(['attestation', 'status']);
    if (round.warmUp) continue;
    nodeMs.push(node.ms);
    versionMs.push(version.ms);
    statusMs.push(status.ms);
  }
  ctx.log(
    `§2 node -e 0 ${median(nodeMs).toFixed(1)} ms, --version ${median(versionMs).toFixed(1)} ms, status ${median(statusMs).toFixed(1)} ms`,
  );
  const baseline = median(nodeMs);
  ctx.results.add({ section: SECTION, measure: 'node -e 0 (baseline)', value: baseline, unit: 'ms', samples: nodeMs });
  for (const [measure, samples] of [
    ['chainloop --version', versionMs],
    ['chainloop attestation status (existing local state)', statusMs],
  ] as const) {
    const value = median(samples);
    ctx.results.add({
      section: SECTION,
      measure,
      value,
      unit: 'ms',
      samples: [...samples],
      baseline: { name: 'node -e 0', value: baseline },
      ratio: `${(value / baseline).toFixed(2)}×`,
      budget: `≤ ${BUDGET}× node -e 0`,
      met: value <= BUDGET * baseline,
    });
  }
}
