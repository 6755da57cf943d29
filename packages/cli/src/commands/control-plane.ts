import type { StartOptions } from '@chainloop-ts/control-plane';
import { START_ENVIRONMENT_HELP, START_OPTIONS } from '@chainloop-ts/control-plane/start-options';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../context';
import { loadControlPlane } from './load-control-plane';

// control-plane start: loads @chainloop-ts/control-plane lazily so the bundle carries no native module. Its flags come
// from the control plane's own table (start-options, plain data bundled here), so this command and the control plane's
// own bin take the same flags with the same help.
export function registerControlPlaneCommands(program: Command): void {
  const controlPlane = program.command('control-plane').description('run the embedded control plane');

  const start = controlPlane
    .command('start')
    .description('start the control plane (SQLite + filesystem CAS under --data-dir); stops on SIGTERM/SIGINT');
  for (const option of START_OPTIONS) {
    start.option(option.value ? `${option.flag} <${option.value}>` : option.flag, option.help);
  }
  start
    .addHelpText(
      'after',
      `\nWith -o json the listening line is also printed to stdout as one JSON object (url, dataDir, where the admin token is).\n${START_ENVIRONMENT_HELP}`,
    )
    .action(async (flags: StartOptions, command: Command) => {
      const format = outputFormat(command);
      // Only the start flags: the common ones (--token, --output, …) are not the control plane's.
      const options = Object.fromEntries(
        START_OPTIONS.flatMap((option) => (flags[option.key] === undefined ? [] : [[option.key, flags[option.key]]])),
      ) as StartOptions;
      await loadControlPlane()
        .serve(options, { format })
        .catch((error: unknown) => {
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
