import type { PhaseTimingsLine } from '../../packages/cli/src/phase-timings';
import type { Figure } from './results';
import { median } from './stats';

/** One job run with CHAINLOOP_PHASE_TIMINGS: each step's wall time (bench side) and the lines the CLI appended. */
export interface PhaseTimes {
  walls: Map<string, number>;
  lines: string;
}

/** The phases a start-up breakdown shows, in order; they add up to the command's wall time as the bench saw it. */
export const BREAKDOWN_PHASES = [
  'nodeBootstrap',
  'moduleLoad',
  'stateRead',
  'stateWrite',
  'network',
  'other',
  'afterExit',
] as const;

/**
 * Each CLI step's start-up broken down (medians over the runs, ms): the CLI's own phases (packages/cli/src/phase-
 * timings.ts) plus `afterExit`, the wall time the bench saw beyond the CLI's exit mark (spawning the process before
 * Node's clock starts, tearing it down after). Steps that are not the CLI (the fetch) append no line and get none.
 */
export function startupBreakdowns(runs: PhaseTimes[], steps: string[]): Omit<Figure, 'section'>[] {
  const perStep = new Map<string, { walls: number[]; phases: Record<string, number[]>; command: string }>();
  for (const run of runs) {
    const lines = run.lines
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as PhaseTimingsLine);
    const cliSteps = steps.filter((step) => !step.startsWith('fetch'));
    if (lines.length !== cliSteps.length) {
      throw new Error(`CHAINLOOP_PHASE_TIMINGS wrote ${lines.length} lines for ${cliSteps.length} CLI commands`);
    }
    cliSteps.forEach((step, i) => {
      const line = lines[i];
      const wall = run.walls.get(step) ?? Number.NaN;
      const entry = perStep.get(step) ?? { walls: [], phases: {}, command: line.command };
      entry.walls.push(wall);
      const phases: Record<string, number> = { ...line.phases, afterExit: Math.max(0, wall - line.marks.exit) };
      for (const phase of BREAKDOWN_PHASES) {
        entry.phases[phase] ??= [];
        entry.phases[phase].push(phases[phase]);
      }
      perStep.set(step, entry);
    });
  }
  return [...perStep].map(([step, { walls, phases }]) => {
    const medians = Object.fromEntries(BREAKDOWN_PHASES.map((phase) => [phase, median(phases[phase] ?? [])]));
    return {
      measure: `start-up breakdown: ${step} (CHAINLOOP_PHASE_TIMINGS)`,
      value: median(walls),
      unit: 'ms',
      samples: walls,
      phases: medians,
      ratio: BREAKDOWN_PHASES.map((phase) => `${SHORT[phase]} ${medians[phase].toFixed(1)}`).join(', '),
    };
  });
}

const SHORT: Record<(typeof BREAKDOWN_PHASES)[number], string> = {
  nodeBootstrap: 'node',
  moduleLoad: 'load',
  stateRead: 'state read',
  stateWrite: 'state write',
  network: 'net',
  other: 'other',
  afterExit: 'exit',
};
