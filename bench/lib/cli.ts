import { cliBundle } from './paths';
import { type TimedProcess, type TimeOptions, timeProcess } from './process-timer';

/**
 * The environment of a CLI run: PATH, HOME and the given TMPDIR (which holds the local crafting state) plus the robot
 * token and control plane URL; nothing from the bench's own environment, which may be a CI's.
 */
export function cliEnv(
  tmpDir: string,
  controlPlane?: { url: string; token: string },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: tmpDir,
    ...(controlPlane
      ? { CHAINLOOP_CONTROL_PLANE_API: controlPlane.url, CHAINLOOP_ROBOT_ACCOUNT: controlPlane.token }
      : {}),
    ...extra,
  };
}

/** The bundled CLI (what CI adapters ship) under plain node, timed. */
export function timeCli(args: string[], options: TimeOptions): Promise<TimedProcess> {
  return timeProcess(process.execPath, [cliBundle, ...args], options);
}
