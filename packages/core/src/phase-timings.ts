/**
 * Where a CLI command's time goes, for the bench (`CHAINLOOP_PHASE_TIMINGS`, docs/performance.md): wall time spent
 * in a few phases (the local state file, HTTP exchanges), as the union of the intervals each phase was busy, so two
 * requests in flight at once count once. Off unless the CLI turns it on: every hook is then one comparison, and this
 * module imports nothing, so it costs a command nothing it does not ask for.
 */

/** The phases core measures; the CLI adds the marks (bootstrap, main, exit) around them. */
export type TimedPhase = 'stateRead' | 'stateWrite' | 'network';

interface PhaseClock {
  busy: number;
  /** When the phase last went from idle to busy (performance.now()). */
  since: number;
  total: number;
}

let clocks: Record<TimedPhase, PhaseClock> | undefined;

/** Turns the phase clocks on (the CLI, when CHAINLOOP_PHASE_TIMINGS is set); idempotent. */
export function enablePhaseTimings(): void {
  clocks ??= {
    stateRead: { busy: 0, since: 0, total: 0 },
    stateWrite: { busy: 0, since: 0, total: 0 },
    network: { busy: 0, since: 0, total: 0 },
  };
}

const NOTHING = () => {};

/** Marks a phase busy until the returned function is called (calling it again does nothing). */
export function phaseStarted(phase: TimedPhase): () => void {
  if (!clocks) return NOTHING;
  const clock = clocks[phase];
  if (clock.busy++ === 0) clock.since = performance.now();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--clock.busy === 0) clock.total += performance.now() - clock.since;
  };
}

/** Times `work` as `phase` (a plain call when the clocks are off). */
export async function inPhase<T>(phase: TimedPhase, work: () => Promise<T>): Promise<T> {
  if (!clocks) return work();
  const done = phaseStarted(phase);
  try {
    return await work();
  } finally {
    done();
  }
}

/**
 * Milliseconds each phase was busy so far (a phase still busy counts up to now), or undefined when the clocks are off.
 */
export function phaseTotals(): Record<TimedPhase, number> | undefined {
  if (!clocks) return undefined;
  const now = performance.now();
  const total = (clock: PhaseClock) => clock.total + (clock.busy > 0 ? now - clock.since : 0);
  return { stateRead: total(clocks.stateRead), stateWrite: total(clocks.stateWrite), network: total(clocks.network) };
}
