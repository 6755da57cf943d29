import { writeFileSync } from 'node:fs';
import { BREAKDOWN_PHASES } from './phase-breakdown';
import type { Figure, MachineInfo } from './results';
import { sizeLabel } from './stats';
import { type BarChart, svgDocument } from './svg-chart';

/** Where the chart goes: next to the results file, same name, `.svg`. */
export function chartPath(resultsPath: string): string {
  return resultsPath.replace(/\.json$/, '') + '.svg';
}

/**
 * The bench's pictures from its figures: §1's throughput by size against both floors, §5's latency percentiles
 * under load per endpoint, and each CLI command's start-up broken down (§8, CHAINLOOP_PHASE_TIMINGS) against
 * `node -e 0`. Charts whose section did not run say so.
 */
export function benchCharts(figures: Figure[]): BarChart[] {
  const throughput = figures.filter((f) => f.size !== undefined && f.series !== undefined && f.unit === 'MiB/s');
  const sizes = [...new Set(throughput.map((f) => f.size as number))].sort((a, b) => a - b);
  const seriesNames = ['attestation add', 'hashing floor (openssl dgst)', 'upload floor (curl -T)'];
  const latency = figures.filter((f) => f.percentiles !== undefined);
  const percentileNames = [...new Set(latency.flatMap((f) => Object.keys(f.percentiles ?? {})))];
  const startup = figures.filter((f) => f.phases !== undefined);
  // One Node start: §2's baseline, else §8's floor divided by its command count.
  const floor = figures.find((f) => /^node -e 0 × \d+/.test(f.measure));
  const node = figures.find((f) => f.measure === 'node -e 0 (baseline)') ?? {
    measure: 'node -e 0 (§8)',
    value: floor ? floor.value / Number(/× (\d+)/.exec(floor.measure)?.[1]) : Number.NaN,
  };
  return [
    {
      id: 'throughput',
      title: '§1 add of a large artifact against its floors (higher is better)',
      unit: 'MiB/s',
      layout: 'grouped',
      categories: sizes.map(sizeLabel),
      series: seriesNames.map((name) => ({
        name,
        values: sizes.map((size) => throughput.find((f) => f.size === size && f.series === name)?.value ?? Number.NaN),
      })),
      empty: 'section 1 did not run',
    },
    {
      id: 'latency',
      title: '§5 latency per endpoint under load, client side and server side (lower is better)',
      unit: 'ms',
      layout: 'grouped',
      categories: latency.map((f) => f.measure.replace(/: p50 \/ p99.*$/, '')),
      series: percentileNames.map((name) => ({
        name,
        values: latency.map((f) => f.percentiles?.[name] ?? Number.NaN),
      })),
      empty: 'section 5 did not run',
    },
    {
      id: 'startup',
      title: '§8 where each CLI command of the job spends its time (medians; lower is better)',
      unit: 'ms',
      layout: 'stacked',
      categories: startup.map((f) => f.measure.replace(/^start-up breakdown: /, '').replace(/ \(CHAINLOOP.*$/, '')),
      series: BREAKDOWN_PHASES.map((phase) => ({
        name: PHASE_NAMES[phase],
        values: startup.map((f) => f.phases?.[phase] ?? Number.NaN),
      })),
      ...(Number.isFinite(node.value)
        ? { marker: { label: node.measure.replace(' (baseline)', ' (§2)'), value: node.value } }
        : {}),
      empty: 'section 8 did not run',
    },
  ];
}

const PHASE_NAMES: Record<(typeof BREAKDOWN_PHASES)[number], string> = {
  nodeBootstrap: 'Node bootstrap',
  moduleLoad: 'module load',
  stateRead: 'state read',
  stateWrite: 'state write (lock + file)',
  network: 'network (HTTP in flight)',
  other: 'other (the command itself)',
  afterExit: 'after exit (spawn + teardown)',
};

export function writeCharts(
  path: string,
  figures: Figure[],
  machine: MachineInfo,
  startedAt: string,
  smoke: boolean,
): void {
  const caption =
    `npm run bench${smoke ? ' -- --smoke (toy sizes, one run each)' : ''}, ${startedAt.slice(0, 10)}: ` +
    `${machine.cpu} × ${machine.cores}, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')} at the start`;
  writeFileSync(path, svgDocument(caption, benchCharts(figures)));
}
