import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson } from '../../output';
import { craftingContext, stateStore } from './shared';

interface ResetFlags {
  trigger: string;
  reason?: string;
}

export function registerAttestationReset(attestation: Command): void {
  attestation
    .command('reset')
    .description('mark the attestation in progress as failed or cancelled and forget it')
    .option('--trigger <trigger>', 'failure or cancellation', 'failure')
    .option('--reason <reason>', 'why the attestation was abandoned')
    .option('--attestation-id <id>', 'attestation in the control plane (remote state; env CHAINLOOP_ATTESTATION_ID)')
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .option('--graceful-exit', 'exit 0 with a warning when reset fails', false)
    .action(async (flags: ResetFlags, command: Command) => {
      const format = outputFormat(command);
      if (flags.trigger !== 'failure' && flags.trigger !== 'cancellation') {
        throw new UsageError(
          'RESET_TRIGGER_INVALID',
          `--trigger "${flags.trigger}" is invalid: use failure or cancellation`,
        );
      }
      const { resetAttestation } = await import('@chainloop-ts/core/crafter');
      const context = await craftingContext(command);
      const result = await resetAttestation(context, await stateStore(command, context), {
        trigger: flags.trigger,
        reason: flags.reason,
      });
      if (!result.reset) log.info('no attestation in progress: nothing to reset');
      else log.info(resetLine(flags.trigger, result.dryRun ?? false));
      if (format === 'json')
        printJson({ reset: result.reset, attestationID: result.runId ?? '', trigger: flags.trigger });
    });
}

/** What a reset did: the run marked in the control plane, or, for a dry run, nothing stored and the state discarded. */
export function resetLine(trigger: string, dryRun: boolean): string {
  if (dryRun) return 'dry-run: attestation discarded, nothing stored';
  return trigger === 'failure' ? 'Attestation marked as failed' : 'Attestation marked as cancelled';
}
