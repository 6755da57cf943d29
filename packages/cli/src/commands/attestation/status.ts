import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { printJson, printLine } from '../../output';
import { attestationId, craftingContext, stateStore } from './shared';
import { renderStatusTables, statusJson } from './status-view';

export function registerAttestationStatus(attestation: Command): void {
  attestation
    .command('status')
    .description('show the attestation in progress')
    .option('--full', 'also show material values and the runner context', false)
    .option('--attestation-id <id>', 'attestation in the control plane (remote state; env CHAINLOOP_ATTESTATION_ID)')
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .action(async (flags: { full?: boolean }, command: Command) => {
      const format = outputFormat(command);
      const { attestationStatus } = await import('@chainloop-ts/core/crafting-state');
      // A local state is a file read: the HTTP client (loaded with a robot token, as in every CI job) only for a remote one.
      const context = attestationId(command) ? await craftingContext(command) : { client: undefined };
      const status = await attestationStatus(await stateStore(command, context));
      if (format === 'json') printJson(statusJson(status));
      else printLine(await renderStatusTables(status, flags.full ?? false));
    });
}
