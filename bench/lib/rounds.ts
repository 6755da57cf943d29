import type { BenchOptions } from './options';

export interface Round {
  warmUp: boolean;
  /** `warm-up` or `run N`, for the progress log. */
  label: string;
}

/** The warm-up rounds (discarded: page cache, JIT, SQLite's first statements) then the measured ones. */
export function rounds(options: BenchOptions, minimumRuns = 0): Round[] {
  const runs = options.smoke ? options.runs : Math.max(options.runs, minimumRuns);
  return [
    ...Array.from({ length: options.warmUps }, () => ({ warmUp: true, label: 'warm-up' })),
    ...Array.from({ length: runs }, (_, i) => ({ warmUp: false, label: `run ${i + 1}` })),
  ];
}
