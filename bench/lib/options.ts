import { GiB, MiB } from './stats';

/** What one bench run does; `--smoke` shrinks everything to a few seconds (the test runs that). */
export interface BenchOptions {
  smoke: boolean;
  /** Measured runs per figure. */
  runs: number;
  /** Discarded runs before them (1; none in a smoke run). */
  warmUps: number;
  /** Sizes of the large-artifact comparison (section 1). */
  largeSizes: number[];
  /** Extra sizes of the add scaling curve (section 4); the large sizes are reused. */
  scalingSizes: number[];
  /** Material counts for the push/status scaling (section 4). */
  materialCounts: number[];
  /** Load phase (section 5). */
  loadClients: number;
  loadSeconds: number;
  /** Runs of the workflow whose Runs view is timed (section 7). */
  webUiRuns: number;
  /** Only these sections (1–8; `cluster` is 6, `job` 8); all when empty. */
  sections: number[];
  resultsPath: string;
  /** Where big temporary files go (a disk, not tmpfs: page cache and disk are what is measured). */
  workDir: string;
}

const USAGE = `usage: npm run bench -- [--smoke] [--runs N] [--load-seconds S] [--load-clients N] [--sections 1,2,…,cluster,job]
                       [--sizes 1GiB,4GiB] [--ui-runs N] [--results FILE] [--work-dir DIR]`;

export function parseBenchOptions(argv: string[], defaults: { resultsPath: string; workDir: string }): BenchOptions {
  const smoke = argv.includes('--smoke');
  const options: BenchOptions = smoke
    ? {
        smoke,
        runs: 1,
        warmUps: 0,
        largeSizes: [4 * MiB],
        scalingSizes: [64 * 1024, 1 * MiB],
        materialCounts: [1, 5],
        loadClients: 4,
        loadSeconds: 2,
        webUiRuns: 120,
        sections: [],
        ...defaults,
      }
    : {
        smoke,
        runs: 5,
        warmUps: 1,
        largeSizes: [1 * GiB, 4 * GiB],
        scalingSizes: [1 * MiB, 16 * MiB, 64 * MiB, 256 * MiB],
        materialCounts: [10, 100, 1000],
        loadClients: 32,
        loadSeconds: 60,
        webUiRuns: 10_000,
        sections: [],
        ...defaults,
      };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case '--smoke':
        break;
      case '--runs':
        options.runs = positiveInteger(flag, value());
        break;
      case '--load-seconds':
        options.loadSeconds = positiveNumber(flag, value());
        break;
      case '--load-clients':
        options.loadClients = positiveInteger(flag, value());
        break;
      case '--sections':
        options.sections = value()
          .split(',')
          .map((s) => (s === 'cluster' ? CLUSTER_SECTION : s === 'job' ? JOB_SECTION : positiveInteger(flag, s)));
        break;
      case '--sizes':
        options.largeSizes = value().split(',').map(parseSize);
        break;
      case '--ui-runs':
        options.webUiRuns = positiveInteger(flag, value());
        break;
      case '--results':
        options.resultsPath = value();
        break;
      case '--work-dir':
        options.workDir = value();
        break;
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown bench flag ${flag}\n${USAGE}`);
    }
  }
  return options;
}

/** Section 6, also named `cluster` (HAProxy, three replicas, PostgreSQL and a registry). */
export const CLUSTER_SECTION = 6;

/** Section 7: the web UI in chromium (first load's JavaScript, the Runs view of a 10,000-run workflow). */
export const WEB_UI_SECTION = 7;

/** Section 8, also named `job`: a whole CI job's attestation on a bare machine, CLI download included. */
export const JOB_SECTION = 8;

export function wants(options: BenchOptions, section: number): boolean {
  return options.sections.length === 0 || options.sections.includes(section);
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} ${text}: expected a positive integer`);
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} ${text}: expected a positive number`);
  return value;
}

function parseSize(text: string): number {
  const match = /^(\d+)(KiB|MiB|GiB)?$/.exec(text.trim());
  if (!match) throw new Error(`--sizes ${text}: expected e.g. 1GiB, 256MiB`);
  const unit = { KiB: 1024, MiB, GiB }[match[2] as 'KiB' | 'MiB' | 'GiB'] ?? 1;
  return Number(match[1]) * unit;
}
