import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../context';
import { log, printJson } from '../output';
import { adminClient } from './workflow';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Where to write: --output as given, inside it when it is a directory, else ./sha256-<hex> (no colon in file names). */
async function destinationFor(digest: string, output: string | undefined): Promise<string> {
  const fileName = digest.replace(':', '-');
  if (output === undefined) return fileName;
  const existing = await stat(output).catch(() => undefined);
  return existing?.isDirectory() ? join(output, fileName) : output;
}

// artifact download --digest sha256:… [--output PATH].
export function registerArtifactCommands(program: Command): void {
  const artifact = program.command('artifact').description('content-addressed store (CAS) blobs');

  artifact
    .command('download')
    .description('download a blob from the CAS by digest, verifying it')
    .requiredOption('-d, --digest <digest>', 'blob digest, sha256:<64 hex>')
    .option('--output <path>', 'file or directory to write to (default ./sha256-<hex>)')
    .action(async (flags: { digest: string; output?: string }, command: Command) => {
      if (!DIGEST.test(flags.digest)) {
        throw new UsageError(
          'INVALID_DIGEST',
          `--digest "${flags.digest}" is not a sha256 digest: use sha256:<64 lowercase hex> (as shown by workflow run describe)`,
        );
      }
      const path = await destinationFor(flags.digest, flags.output);
      const blob = await (await adminClient(command)).downloadBlob(flags.digest, path);
      if (outputFormat(command) === 'json') return printJson({ ...blob, path });
      log.info(`downloaded ${blob.digest} to ${path} (${blob.size} bytes, digest verified)`);
    });
}
