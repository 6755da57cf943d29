import { appendFileSync } from 'node:fs';
import { enablePhaseTimings, phaseTotals } from '@chainloop-ts/core';
import { publishedCompileShape } from './compile-shape';
import { log } from './output';

/** One line of the CHAINLOOP_PHASE_TIMINGS file: names the CLI defines and milliseconds, never a value typed. */
export interface PhaseTimingsLine {
  /** The command path (`attestation add`), the long option names given, the material kinds crafted. */
  command: string;
  options: string[];
  kinds: string[];
  exitCode: number;
  node: string;
  /** Milliseconds from process start (performance.timeOrigin) to: Node's bootstrap done, main() started, exit. */
  marks: { bootstrapComplete: number; mainStart: number; exit: number };
  /**
   * Where those milliseconds went: starting Node, loading the CLI's modules (the loader, its code cache, evaluating the
   * bundle), the local state file (read and parsed; locked and written), HTTP exchanges with the control plane, its CAS
   * and registries (wall time with at least one in flight), and the rest (the command's own work, child processes,
   * the code cache written at exit). Phases busy at the same moment (init's git runs while it talks to the control
   * plane) are not subtracted twice: `other` never goes below 0.
   */
  phases: {
    nodeBootstrap: number;
    moduleLoad: number;
    stateRead: number;
    stateWrite: number;
    network: number;
    other: number;
  };
}

/**
 * CHAINLOOP_PHASE_TIMINGS=<file>: appends one JSON line per run to the file, at exit, saying where the run's time
 * went (docs/performance.md; the bench reads it). Called first thing in main(), so "module load" ends here.
 */
export function recordPhaseTimings(file: string): void {
  const mainStart = performance.now();
  const bootstrapComplete = performance.nodeTiming.bootstrapComplete;
  enablePhaseTimings();
  // After the loader's own exit handler (registered before the bundle ran), so the code cache it writes is counted.
  process.once('exit', (code) => {
    const exit = performance.now();
    const busy = phaseTotals() ?? { stateRead: 0, stateWrite: 0, network: 0 };
    const shape = publishedCompileShape();
    const round = (ms: number) => Math.round(ms * 100) / 100;
    const line: PhaseTimingsLine = {
      command: (shape?.command ?? []).map(([name]) => name).join(' '),
      options: shape?.options ?? [],
      kinds: shape?.kinds ?? [],
      exitCode: code,
      node: process.version,
      marks: { bootstrapComplete: round(bootstrapComplete), mainStart: round(mainStart), exit: round(exit) },
      phases: {
        nodeBootstrap: round(bootstrapComplete),
        moduleLoad: round(mainStart - bootstrapComplete),
        stateRead: round(busy.stateRead),
        stateWrite: round(busy.stateWrite),
        network: round(busy.network),
        other: round(Math.max(0, exit - mainStart - busy.stateRead - busy.stateWrite - busy.network)),
      },
    };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch (error) {
      // Measuring must never change what the command did: say so, keep its exit code.
      log.warn(`cannot append phase timings to ${file} (CHAINLOOP_PHASE_TIMINGS): ${(error as Error).message}`);
    }
  });
}
