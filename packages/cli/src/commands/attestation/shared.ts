import { ControlPlaneClient } from '@chainloop-ts/core/client';
import type { CraftingContext } from '@chainloop-ts/core/crafter';
import { openStateStore, type StateStore } from '@chainloop-ts/core/crafter';
import type { Command } from 'commander';
import { controlPlaneUrl, nearestOption, optionalRobotToken } from '../../context';
import { log } from '../../output';

/**
 * Core crafting context for a command. The control plane client exists when a robot token is given; actions that need
 * it (init, and add/push/reset outside dry-run) fail with a message naming the token flags when it is missing.
 */
export function craftingContext(command: Command): CraftingContext {
  const token = optionalRobotToken(command);
  return {
    env: process.env,
    cwd: process.cwd(),
    log: { info: log.info, warn: log.warn, progress: (line) => process.stderr.write(`${line}\n`) },
    client: token ? new ControlPlaneClient({ baseUrl: controlPlaneUrl(command), token }) : undefined,
  };
}

export function attestationId(command: Command): string | undefined {
  return nearestOption(command, 'attestationId') ?? (process.env.CHAINLOOP_ATTESTATION_ID || undefined);
}

/** The state store this command works on: remote when an attestation id is given, else the local file. */
export function stateStore(command: Command, context: CraftingContext): StateStore {
  return openStateStore({
    attestationId: attestationId(command),
    localStatePath: nearestOption(command, 'localStatePath'),
    client: context.client,
  });
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
