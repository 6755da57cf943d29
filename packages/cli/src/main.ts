import { CHAINLOOP_TS_VERSION, ChainloopError } from '@chainloop-ts/core';
import { Command, CommanderError } from 'commander';
import { registerArtifactCommands } from './commands/artifact';
import { registerAttestationCommands } from './commands/attestation/index';
import { registerControlPlaneCommands } from './commands/control-plane';
import { registerKeysCommands } from './commands/keys';
import { registerWorkflowCommands } from './commands/workflow';
import { addCommonOptionsToLeaves } from './common-options';
import { trackCompileShape } from './compile-shape';
import { log } from './output';

export function buildProgram(): Command {
  const program = new Command('chainloop')
    .description('Software supply-chain attestations, native to your CI')
    .version(CHAINLOOP_TS_VERSION, '--version', 'print the version')
    .option('-t, --token <token>', 'API token (admin) or robot account token (crafting)')
    .option(
      '--control-plane <url>',
      'control plane URL (env CHAINLOOP_CONTROL_PLANE_API, default http://127.0.0.1:8000)',
    )
    .option('-o, --output <format>', 'output format: table or json')
    .showHelpAfterError()
    .exitOverride();
  registerAttestationCommands(program);
  registerWorkflowCommands(program);
  registerArtifactCommands(program);
  registerKeysCommands(program);
  registerControlPlaneCommands(program);
  addCommonOptionsToLeaves(program);
  return program;
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 error, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const publishCompileShape = trackCompileShape(program);
  try {
    await program.parseAsync(argv);
    publishCompileShape();
    return 0;
  } catch (error) {
    publishCompileShape(error);
    return reportError(error, argv);
  }
}

function reportError(error: unknown, argv: string[]): number {
  if (error instanceof CommanderError) {
    // help and version exit through here with code 0; commander already printed its message.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ChainloopError) {
    if (error.graceful && argv.includes('--graceful-exit')) {
      log.warn(`${error.message} (ignored because of --graceful-exit)`);
      return 0;
    }
    log.error(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`unexpected error: ${message}`);
  if (process.env.CHAINLOOP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}
