import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson, printLine } from '../../output';
import { collect, craftingContext, stateStore } from './shared';
import { signerFor } from './signer';

interface PushFlags {
  key?: string;
  annotation?: string[];
  bundle?: string;
  exceptionBypassPolicyCheck?: boolean;
}

export function registerAttestationPush(attestation: Command): void {
  attestation
    .command('push')
    .description('sign the attestation and store it in the control plane')
    .option(
      '-k, --key <ref>',
      'cosign private key: a file path or env://VAR (password: CHAINLOOP_SIGNING_PASSWORD, where "" means an empty one; else a terminal prompt; else stdin)',
    )
    .option('--annotation <key=value>', 'attestation annotation (repeatable)', collect)
    .option('--bundle <file>', 'also write the Sigstore bundle to this file')
    .option('--attestation-id <id>', 'attestation in the control plane (remote state; env CHAINLOOP_ATTESTATION_ID)')
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .option(
      '--exception-bypass-policy-check',
      'push even when a policy gate has violations (recorded in the attestation as policyBlockBypassEnabled)',
      false,
    )
    .option('--graceful-exit', 'exit 0 with a warning when push fails', false)
    .action(async (flags: PushFlags, command: Command) => {
      const format = outputFormat(command);
      const { pushAttestation, parseAnnotationFlags } = await import('@chainloop-ts/core/crafter');
      const annotations = parseAnnotationFlags(flags.annotation);
      const context = await craftingContext(command);
      const store = await stateStore(command, context);
      const result = await pushAttestation(context, store, {
        annotations,
        bundlePath: flags.bundle,
        signer: signerFor(flags.key, context),
        bypassPolicyCheck: flags.exceptionBypassPolicyCheck === true,
      });
      log.info(result.dryRun ? 'Attestation pushed! (dry-run: not stored)' : 'Attestation pushed!');
      if (format === 'json') printJson({ digest: result.digest ?? '', envelope: result.envelope });
      else printLine(JSON.stringify(result.envelope, null, 2));
    });
}
