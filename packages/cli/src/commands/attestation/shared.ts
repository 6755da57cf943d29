import type { CraftedMaterial, CraftingContext, StateStore } from '@chainloop-ts/core/crafter';
import type { Command } from 'commander';
import { controlPlaneUrl, nearestOption, optionalRobotToken } from '../../context';
import { log } from '../../output';
import { writeStderr } from '../../stdio';

/**
 * The commands that end a CI job's work (uploads, the push, the reset that closes the run) try again when nothing
 * listens at the control plane URL: a restart of the control plane should not lose them. The others (init, status)
 * cannot succeed until someone starts it, and say so at once.
 */
const RIDES_OUT_RESTARTS = new Set(['add', 'push', 'reset', 'finish']);

/**
 * Core crafting context for a command. The control plane client exists when a robot token is given; actions that need
 * it (init, and add/push/reset outside dry-run) fail with a message naming the token flags when it is missing.
 */
export async function craftingContext(command: Command): Promise<CraftingContext> {
  const token = optionalRobotToken(command);
  // Imported only when there is a token: `status` on a local state never loads the HTTP client.
  const client = token
    ? new (await import('@chainloop-ts/core/client')).ControlPlaneClient({
        baseUrl: controlPlaneUrl(command),
        token: token.token,
        tokenSource: token.source,
        // A 429 is waited out (Retry-After): say so, or a command would sit silent for up to a minute.
        onRateLimited: log.warn,
        retryRefused: RIDES_OUT_RESTARTS.has(command.name()),
      })
    : undefined;
  return {
    env: process.env,
    cwd: process.cwd(),
    log: { info: log.info, warn: log.warn, progress: (line) => writeStderr(`${line}\n`) },
    client,
  };
}

export function attestationId(command: Command): string | undefined {
  return nearestOption(command, 'attestationId') ?? (process.env.CHAINLOOP_ATTESTATION_ID || undefined);
}

/** The state store this command works on: remote when an attestation id is given, else the local file. */
export async function stateStore(command: Command, context: Pick<CraftingContext, 'client'>): Promise<StateStore> {
  const { openStateStore } = await import('@chainloop-ts/core/crafting-state');
  return openStateStore({
    attestationId: attestationId(command),
    localStatePath: nearestOption(command, 'localStatePath'),
    client: context.client,
  });
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line per policy that applied to the material: passed, its violations, or skipped and why. */
export async function logPolicyEvaluations(material: CraftedMaterial): Promise<void> {
  if (!material.policyEvaluations?.length) return;
  const { describePolicyEvaluation } = await import('@chainloop-ts/core/crafter');
  for (const evaluation of material.policyEvaluations) {
    const line = `policy ${describePolicyEvaluation(evaluation)} (material "${material.name}")`;
    if (evaluation.violations.length > 0) log.warn(line);
    else log.info(line);
  }
}
