import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import type { OutputFormat } from './output';

/** Options every command understands, resolved from flags first, then the environment. */
export interface GlobalOptions {
  token?: string;
  controlPlane?: string;
  output?: string;
}

export const DEFAULT_CONTROL_PLANE = 'http://127.0.0.1:8000';

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function outputFormat(command: Command): OutputFormat {
  const format = globalOptions(command).output ?? 'table';
  if (format !== 'table' && format !== 'json') {
    throw new UsageError('INVALID_OUTPUT_FORMAT', `--output "${format}" is not supported: use table or json`);
  }
  return format;
}

export function controlPlaneUrl(command: Command): string {
  return globalOptions(command).controlPlane ?? process.env.CHAINLOOP_CONTROL_PLANE_API ?? DEFAULT_CONTROL_PLANE;
}

/** Admin commands: --token, else CHAINLOOP_TOKEN. */
export function adminToken(command: Command): string {
  const token = globalOptions(command).token ?? process.env.CHAINLOOP_TOKEN;
  if (!token) {
    throw new UsageError('TOKEN_MISSING', 'no API token: pass --token or set CHAINLOOP_TOKEN');
  }
  return token;
}

/** Crafting commands: --token, else CHAINLOOP_ROBOT_ACCOUNT (the seed's name), else CHAINLOOP_TOKEN. */
export function optionalRobotToken(command: Command): string | undefined {
  return (
    globalOptions(command).token || process.env.CHAINLOOP_ROBOT_ACCOUNT || process.env.CHAINLOOP_TOKEN || undefined
  );
}

export function robotToken(command: Command): string {
  const token = optionalRobotToken(command);
  if (!token) {
    throw new UsageError(
      'TOKEN_MISSING',
      'no robot account token: pass --token or set CHAINLOOP_ROBOT_ACCOUNT (or CHAINLOOP_TOKEN)',
    );
  }
  return token;
}
