import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson, printLine } from '../../output';
import { resetLine } from './reset';
import { collect, craftingContext, stateStore } from './shared';
import { signerFor } from './signer';

interface FinishFlags {
  status: string;
  ci: string;
  unstableAs: string;
  key?: string;
  annotation?: string[];
  bundle?: string;
  reason?: string;
}

export function registerAttestationFinish(attestation: Command): void {
  attestation
    .command('finish')
    .description("end the attestation with the CI's job status: push on success, reset on failure or cancellation")
    .requiredOption(
      '--status <status>',
      "the CI's job status word (GitLab CI_JOB_STATUS, Jenkins result, GitHub job.status…)",
    )
    .option('--ci <name>', 'whose status words: gitlab, jenkins, circleci, github or generic', 'generic')
    .option('--unstable-as <action>', 'what Jenkins UNSTABLE means: failure (default) or push', 'failure')
    .option('-k, --key <ref>', 'cosign private key for the push: a file path or env://VAR')
    .option('--annotation <key=value>', 'attestation annotation (repeatable)', collect)
    .option('--bundle <file>', 'also write the Sigstore bundle to this file')
    .option('--reason <reason>', 'reason recorded with a reset')
    .option('--attestation-id <id>', 'attestation in the control plane (remote state; env CHAINLOOP_ATTESTATION_ID)')
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .option('--graceful-exit', 'exit 0 with a warning when finishing fails', false)
    .action(async (flags: FinishFlags, command: Command) => {
      const format = outputFormat(command);
      const { checkCiName, finishAttestation } = await import('@chainloop-ts/core/lifecycle');
      const { parseAnnotationFlags } = await import('@chainloop-ts/core/crafter');
      const { UsageError } = await import('@chainloop-ts/core');
      if (flags.unstableAs !== 'failure' && flags.unstableAs !== 'push') {
        throw new UsageError(
          'UNSTABLE_AS_INVALID',
          `--unstable-as "${flags.unstableAs}" is invalid: use failure or push`,
        );
      }
      const context = await craftingContext(command);
      const store = await stateStore(command, context);
      const result = await finishAttestation(context, store, {
        ci: checkCiName(flags.ci),
        status: flags.status,
        unstableAs: flags.unstableAs,
        reason: flags.reason,
        push: {
          annotations: parseAnnotationFlags(flags.annotation),
          bundlePath: flags.bundle,
          signer: signerFor(flags.key, context),
        },
      });
      if (!result.finished) log.info('no attestation in progress: nothing to finish (already pushed or reset)');
      else if (result.action.action === 'push')
        log.info(result.push?.dryRun ? 'Attestation pushed! (dry-run: not stored)' : 'Attestation pushed!');
      else log.info(resetLine(result.action.trigger, result.dryRun ?? false));
      if (format === 'json') {
        printJson({
          finished: result.finished,
          action: result.action.action === 'push' ? 'push' : `reset:${result.action.trigger}`,
          digest: result.push?.digest ?? '',
        });
      } else if (result.push) {
        printLine(JSON.stringify(result.push.envelope, null, 2));
      }
    });
}
