import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './bench-context';
import { cliEnv, timeCli } from './cli';
import { mustSucceed, type TimedProcess, type TimeOptions } from './process-timer';

/** A CI job's worth of CLI calls: its own directory (the cwd, and TMPDIR, which holds the local state). */
export interface CliScenario {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the bundled CLI here; fails with its output unless it exits 0. */
  run(args: string[], options?: Omit<TimeOptions, 'cwd'>): Promise<TimedProcess>;
}

export async function cliScenario(ctx: BenchContext, name: string, extraEnv: Record<string, string> = {}) {
  const dir = await mkdtemp(join(ctx.scratch, `${name}-`));
  const env = cliEnv(dir, { url: ctx.cp.url, token: ctx.robotToken }, extraEnv);
  const scenario: CliScenario = {
    dir,
    env,
    run: async (args, options = {}) =>
      mustSucceed(
        `chainloop ${args.join(' ')}`,
        await timeCli(args, { env: options.env ?? env, cwd: dir, ...options }),
      ),
  };
  return scenario;
}
