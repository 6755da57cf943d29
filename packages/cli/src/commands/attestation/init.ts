import { appendFile } from 'node:fs/promises';
import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson, printLine } from '../../output';
import { craftingContext } from './shared';
import { renderStatusTables, statusJson } from './status-view';

interface InitFlags {
  revision?: string;
  contractRevision?: string;
  dryRun?: boolean;
  remoteState?: boolean;
  replace?: boolean;
  localStatePath?: string;
  dotenvFile?: string;
  projectVersion?: string;
}

export function registerAttestationInit(attestation: Command): void {
  attestation
    .command('init')
    .description('start an attestation: fetch the contract, check the runner, resolve env variables, create the run')
    .option('--revision <n>', 'contract revision (default: latest)')
    .option('--contract-revision <n>', 'same as --revision')
    .option('--dry-run', 'do not store the attestation and do not fail on runner or env checks', false)
    .option(
      '--project-version <version>',
      'the version of the project this run builds (e.g. v1.2.0), recorded as metadata.projectVersion',
    )
    .option('--remote-state', 'keep the crafting state in the control plane (prints the attestation ID)', false)
    .option('-f, --replace', 'replace a local attestation already in progress', false)
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .option(
      '--dotenv-file <file>',
      'append CHAINLOOP_ATTESTATION_ID=<id> to this dotenv file (GitLab dotenv report, $GITHUB_ENV, …)',
    )
    .option('--graceful-exit', 'exit 0 with a warning when init fails', false)
    .action(async (flags: InitFlags, command: Command) => {
      const format = outputFormat(command);
      const revisionText = flags.contractRevision ?? flags.revision;
      let contractRevision: number | undefined;
      if (revisionText !== undefined) {
        contractRevision = Number(revisionText);
        if (!Number.isInteger(contractRevision) || contractRevision < 1) {
          throw new UsageError(
            'CONTRACT_REVISION_INVALID',
            `--revision "${revisionText}" is not a revision number: use 1, 2, …`,
          );
        }
      }
      // Checked before anything is created: an init refused afterwards would leave a run and a state behind.
      if (flags.dotenvFile && !flags.remoteState) {
        throw new UsageError(
          'DOTENV_FILE_NEEDS_REMOTE_STATE',
          '--dotenv-file records the attestation ID, which only --remote-state has: add --remote-state',
        );
      }
      const { initAttestation, describeState } = await import('@chainloop-ts/core/crafter');
      const context = await craftingContext(command);
      if (flags.dryRun)
        log.info('The attestation is being crafted in dry-run mode: it will not be stored in the control plane');
      const { state } = await initAttestation(context, {
        contractRevision,
        dryRun: flags.dryRun ?? false,
        remoteState: flags.remoteState ?? false,
        replace: flags.replace ?? false,
        localStatePath: flags.localStatePath,
        projectVersion: flags.projectVersion,
      });
      if (flags.dotenvFile && state.attestationId) {
        await appendFile(flags.dotenvFile, `CHAINLOOP_ATTESTATION_ID=${state.attestationId}\n`);
      }
      log.info('Attestation initialized! now you can check its status or add materials to it');
      const status = describeState(state);
      if (format === 'json') printJson(statusJson(status));
      else printLine(await renderStatusTables(status, false));
    });
}
