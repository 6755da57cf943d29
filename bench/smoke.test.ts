/**
 * The bench at toy sizes, so it never rots: `npm run bench -- --smoke` must run every section against a real control
 * plane and write a results file with each section's figures, and the chart next to it. No timing is asserted
 * (benchmarks are not tests); the load phase's correctness (no errors, every stored attestation found with its digest)
 * is, and so is the web UI's (each timed Runs view page showed the rows the API answers).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Figure } from './lib/results';

const scratch = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('npm run bench -- --smoke measures every section and writes the results file', () => {
  const resultsPath = join(scratch, 'results.json');
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'run.ts'), '--smoke', '--results', resultsPath],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(run.status, 0, `bench failed:\n${run.stderr}`);
  assert.match(run.stdout, /\| section\s+\| measure\s+\| figure/);

  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as { figures: Figure[]; machine: { cores: number } };
  assert.ok(results.machine.cores > 0);
  const sections = new Set(results.figures.map((f) => f.section.split(' ')[0]));
  assert.deepEqual([...sections].sort(), ['1', '2', '3', '4', '5', '6', '7', '8']);
  for (const figure of results.figures) {
    assert.ok(Number.isFinite(figure.value), `${figure.measure} has no value`);
  }
  const figure = (pattern: RegExp) => {
    const found = results.figures.find((f) => pattern.test(f.measure));
    assert.ok(found, `no figure matching ${pattern}`);
    return found;
  };
  // Both floors and the add are measured side by side, with the add compared to the slower floor.
  figure(/^hashing floor: openssl/);
  figure(/^upload floor: curl -T/);
  assert.match(figure(/^attestation add ARTIFACT/).baseline?.name ?? '', /slower floor/);
  assert.equal(figure(/^chainloop attestation status/).baseline?.name, 'node -e 0');
  assert.ok(figure(/^key unlock alone/).value > 0);
  const load = figure(/^errors/);
  assert.equal(load.value, 0, load.note);
  const stored = figure(/^attestations stored per second/);
  const verified = figure(/^stored attestations found afterwards/);
  assert.ok(stored.value > 0, 'the load phase stored nothing');
  assert.equal(verified.met, true, `${verified.value} ${verified.unit}`);
  // The server's CPU per attestation is read against the HTTP floor measured in the same run (a bare node:http server
  // in its own process taking the same six requests per cycle), which took some CPU.
  const serverCpu = figure(/^control plane CPU per stored attestation/);
  assert.equal(serverCpu.baseline?.name, 'bare node:http, same 6 requests');
  assert.ok((serverCpu.baseline?.value ?? 0) > 0, 'the HTTP floor server used no CPU');
  assert.equal(serverCpu.budget, '≤ 1.5 ms');
  // The cluster: stored through HAProxy with 1, 2 and 3 replicas (one of the 3 killed and restarted); nothing lost.
  for (const replicas of ['1 replica', '2 replicas', '3 replicas']) {
    assert.ok(
      figure(new RegExp(`^attestations stored per second, ${replicas} `)).value > 0,
      `${replicas} stored nothing`,
    );
  }
  assert.equal(figure(/^attestations stored per second, 2 replicas/).baseline?.name, '1 replica');
  for (const lost of results.figures.filter((f) => /^lost (attestations|blobs)/.test(f.measure))) {
    assert.equal(lost.value, 0, `${lost.measure}: ${lost.value} ${lost.unit}`);
  }
  const clusterErrors = figure(/^client errors with 3 replicas/);
  assert.equal(clusterErrors.met, true, clusterErrors.note);
  // The web UI: the first load's scripts were fetched and compressed, and they carry preact, so they weigh more than
  // preact alone; each Runs view page was timed only once it showed the API's page (its rows, first run and page
  // info), so a figure means it rendered.
  const script = figure(/^first load of \/: JavaScript, gzip-compressed/);
  assert.equal(script.baseline?.name, 'preact + hooks alone');
  assert.ok(script.value > (script.baseline?.value ?? Number.NaN), `${script.value} ${script.unit}: less than preact`);
  assert.match(script.budget ?? '', /200 KB/);
  for (const page of [/^Runs view page 1 of /, /^Runs view page 3 of 3 /]) {
    assert.match(figure(page).baseline?.name ?? '', /^API offset \d+$/);
  }
  // The whole job (§8): the CLI fetched as the GitLab component does, against node -e 0 once per command, with every
  // CLI command's start-up broken down by CHAINLOOP_PHASE_TIMINGS.
  const job = figure(/^bare machine: fetch \+ init \+ 5 adds \+ push, minus key unlock$/);
  assert.equal(job.baseline?.name, 'node -e 0 × 8');
  assert.match(job.budget ?? '', /300 ms/);
  assert.ok(figure(/^bare machine, step: fetch CLI/).value > 0);
  const breakdowns = results.figures.filter((f) => f.phases !== undefined);
  assert.deepEqual(
    breakdowns.map((f) => f.measure.replace(/^start-up breakdown: (.*) \(CHAINLOOP_PHASE_TIMINGS\)$/, '$1')),
    [
      'init',
      'add string',
      'add 1 MiB artifact',
      'add SBOM',
      'add JUnit',
      'add image by digest',
      'status',
      'push --key',
    ],
  );
  for (const breakdown of breakdowns) {
    assert.deepEqual(Object.keys(breakdown.phases ?? {}), [
      'nodeBootstrap',
      'moduleLoad',
      'stateRead',
      'stateWrite',
      'network',
      'other',
      'afterExit',
    ]);
  }

  // The chart next to the results: well-formed SVG with its three panels and their series.
  const svg = readFileSync(join(scratch, 'results.svg'), 'utf8');
  assert.equal(XMLValidator.validate(svg), true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as {
    svg: { g: Array<{ 'data-chart': string; g?: Array<{ 'data-series'?: string }> }> };
  };
  const series = Object.fromEntries(
    parsed.svg.g.map((chart) => [chart['data-chart'], (chart.g ?? []).map((g) => g['data-series']).filter(Boolean)]),
  );
  assert.deepEqual(series.throughput, ['attestation add', 'hashing floor (openssl dgst)', 'upload floor (curl -T)']);
  assert.deepEqual(series.latency?.slice(0, 3), ['p50', 'p90', 'p99']);
  assert.deepEqual(series.startup, [
    'Node bootstrap',
    'module load',
    'state read',
    'state write (lock + file)',
    'network (HTTP in flight)',
    'other (the command itself)',
    'after exit (spawn + teardown)',
  ]);
});
