/**
 * `npm run bench`: the performance budgets (README's performance page) measured against their physical floors, each figure the
 * median of several runs after a warm-up, each baseline measured in the same run. Prints a table, writes
 * bench/results.json. `npm run bench -- --smoke` does everything at toy sizes in seconds (bench/smoke.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startSeedImage } from '../e2e/support/registry';
import type { BenchContext } from './lib/bench-context';
import { buildBundles } from './lib/build-bundles';
import { chartPath, writeCharts } from './lib/charts';
import { startControlPlane } from './lib/control-plane';
import { CLUSTER_SECTION, JOB_SECTION, parseBenchOptions, WEB_UI_SECTION, wants } from './lib/options';
import { repoRoot } from './lib/paths';
import { BenchResults, describeMachine } from './lib/results';
import { createBenchWorkflow } from './lib/workflow';
import { benchCluster } from './sections/cluster';
import { benchColdStart } from './sections/cold-start';
import { benchFullCycle } from './sections/full-cycle';
import { benchJobOverhead } from './sections/job-overhead';
import { benchLargeArtifacts, type LargeAddTimes } from './sections/large-artifact';
import { benchLoad } from './sections/load';
import { benchPushInspection } from './sections/push-inspection';
import { benchAddScaling, benchMaterialScaling } from './sections/scaling';
import { benchWebUi } from './sections/web-ui';

async function main(): Promise<number> {
  const benchDir = join(repoRoot, 'bench');
  const options = parseBenchOptions(process.argv.slice(2), {
    resultsPath: join(benchDir, 'results.json'),
    // On the repository's disk, not /tmp (often tmpfs): big files must be real files on a real disk.
    workDir: join(benchDir, '.tmp'),
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = new Date();
  const machine = describeMachine(execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(), loadavg());
  log(
    `bench on ${machine.cpu} × ${machine.cores}, node ${machine.node}, ${machine.openssl}, load ${machine.loadAverageAtStart.join(' ')}`,
  );
  buildBundles();

  mkdirSync(options.workDir, { recursive: true });
  const scratch = await mkdtemp(join(options.workDir, 'run-'));
  const cp = await startControlPlane(scratch);
  // CONTAINER_IMAGE resolves every reference against its registry: a real one on loopback holds the bench's image.
  const registry = await startSeedImage();
  const results = new BenchResults();
  try {
    const ctx: BenchContext = {
      options,
      cp,
      robotToken: await createBenchWorkflow(cp, 'bench'),
      image: `${registry.repository}@${registry.digest}`,
      scratch,
      results,
      log,
    };
    // Start-up and full-cycle figures first, before the big files' disk write-back can disturb them.
    if (wants(options, 2)) await benchColdStart(ctx);
    if (wants(options, 3)) await benchFullCycle(ctx);
    if (wants(options, JOB_SECTION)) await benchJobOverhead(ctx);
    if (wants(options, 4)) await benchMaterialScaling(ctx);
    const largeAddTimes: LargeAddTimes = wants(options, 1) ? await benchLargeArtifacts(ctx) : new Map();
    if (wants(options, 4)) await benchAddScaling(ctx, largeAddTimes);
    if (wants(options, 5)) await benchLoad(ctx);
    if (wants(options, 5)) await benchPushInspection(ctx);
    if (wants(options, CLUSTER_SECTION)) await benchCluster(ctx);
    // Last: its 10,000 runs stay in the shared control plane's database.
    if (wants(options, WEB_UI_SECTION)) await benchWebUi(ctx);
  } finally {
    await registry.stop();
    await cp.stop();
    await rm(scratch, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  results.write(options.resultsPath, { machine, options, startedAt: started.toISOString(), seconds });
  const chart = chartPath(options.resultsPath);
  writeCharts(chart, results.figures, machine, started.toISOString(), options.smoke);
  process.stdout.write(`${results.table()}\n\n`);
  process.stdout.write(
    `${machine.cpu} × ${machine.cores}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.openssl}; ` +
      `${seconds.toFixed(0)} s; ${options.runs} runs per figure after a warm-up; written to ${options.resultsPath} and ${chart}\n`,
  );
  process.stdout.write(results.budgetsMet() ? 'every budget met\n' : 'some budgets NOT met (see the "met" column)\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
