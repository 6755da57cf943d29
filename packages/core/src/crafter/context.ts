import type { ControlPlaneClient } from '../client/index';
import { ChainloopError } from '../errors';

/** Where crafting actions report progress; the CLI prints these as `INF …` / `WRN …` lines on stderr. */
export interface CraftingLogger {
  info(message: string): void;
  warn(message: string): void;
  /** Progress lines printed as they are (the seed's `file@sha256:… ... done! […]`); falls back to info. */
  progress?(line: string): void;
}

export interface CraftingContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: CraftingLogger;
  /** Needed by every action that talks to the control plane (all but status and dry-run adds). */
  client?: ControlPlaneClient;
}

export const silentLogger: CraftingLogger = { info() {}, warn() {} };

export function requireClient(client: ControlPlaneClient | undefined): ControlPlaneClient {
  if (!client) {
    throw new ChainloopError(
      'TOKEN_MISSING',
      'no robot account token: pass --token or set CHAINLOOP_ROBOT_ACCOUNT (or CHAINLOOP_TOKEN)',
      { graceful: true },
    );
  }
  return client;
}
