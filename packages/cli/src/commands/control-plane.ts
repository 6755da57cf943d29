import type { StartOptions } from '@chainloop-ts/control-plane';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';

// Kept in step with START_OPTION_HELP of @chainloop-ts/control-plane, which is only loaded when the command runs.
const HELP = {
  listen: 'address to listen on, host:port (default 127.0.0.1:8000; port 0 picks a free one)',
  dataDir: 'directory for the database, the CAS and the admin token (default ./.chainloop)',
  databaseUrl: 'PostgreSQL URL (env CHAINLOOP_CP_DATABASE_URL); default: SQLite in the data directory',
  maxBlobSize: 'largest CAS blob accepted, e.g. 512MiB (default 10GiB)',
  maxBodySize: 'largest JSON request body accepted, e.g. 32MiB (default 32MiB)',
  runExpiry: 'runs still initialized after this long are marked expired (default 24h)',
  caCert: 'keyless signing CA certificate PEM (with --ca-key); default: a CA created in DIR/signing-ca',
  caKey: 'unencrypted private key PEM of --ca-cert (keep it mode 0600)',
  signingCertValidity: 'lifetime of keyless signing certificates, 1m to 24h (default 10m)',
};

// control-plane start: loads @chainloop-ts/control-plane lazily so the bundle carries no native module.
export function registerControlPlaneCommands(program: Command): void {
  const controlPlane = program.command('control-plane').description('run the embedded control plane');

  controlPlane
    .command('start')
    .description('start the control plane (SQLite + filesystem CAS under --data-dir); stops on SIGTERM/SIGINT')
    .option('--listen <host:port>', HELP.listen)
    .option('--data-dir <dir>', HELP.dataDir)
    .option('--database-url <url>', HELP.databaseUrl)
    .option('--max-blob-size <size>', HELP.maxBlobSize)
    .option('--max-body-size <size>', HELP.maxBodySize)
    .option('--run-expiry <duration>', HELP.runExpiry)
    .option('--ca-cert <file>', HELP.caCert)
    .option('--ca-key <file>', HELP.caKey)
    .option('--signing-cert-validity <duration>', HELP.signingCertValidity)
    .option('--quiet', 'do not log one line per request')
    .addHelpText(
      'after',
      '\nThe admin token comes from CHAINLOOP_CP_ADMIN_TOKEN, else it is generated into DIR/admin.token.',
    )
    .action(async (flags: StartOptions) => {
      // A plain require keeps the control plane (and better-sqlite3) out of the bundle; it resolves to its dist build.
      const controlPlaneModule = require('@chainloop-ts/control-plane') as typeof import('@chainloop-ts/control-plane');
      await controlPlaneModule.serve(flags).catch((error: unknown) => {
        throw asCliError(error);
      });
    });
}

/**
 * The control plane bundle carries its own copy of the core error classes, so `instanceof` fails across the two
 * bundles; rebuild the error from its code and exit code so main() reports it as ours (ERR line, exit 1 or 2).
 */
function asCliError(error: unknown): unknown {
  if (error instanceof ChainloopError || !(error instanceof Error)) return error;
  const { code, exitCode } = error as Error & { code?: unknown; exitCode?: unknown };
  if (typeof code !== 'string' || (exitCode !== 1 && exitCode !== 2)) return error;
  return exitCode === 2 ? new UsageError(code, error.message) : new ChainloopError(code, error.message);
}
