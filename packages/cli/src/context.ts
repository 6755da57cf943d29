import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { formatAttributeOf } from './common-options';
import type { OutputFormat } from './output';

/** Options every command understands, resolved from flags first, then the environment. */
export interface GlobalOptions {
  token?: string;
  controlPlane?: string;
  output?: string;
}

export const DEFAULT_CONTROL_PLANE = 'http://127.0.0.1:8000';

/** --token and --control-plane as given before or after the subcommand (the leaf's value wins). */
export function globalOptions(command: Command): GlobalOptions {
  return { token: nearestOption(command, 'token'), controlPlane: nearestOption(command, 'controlPlane') };
}

/** The value given closest to the command: the leaf's own flag, else its parents', else the program's. */
export function nearestOption(command: Command, attribute: string): string | undefined {
  for (let current: Command | null = command; current; current = current.parent) {
    const value = (current.opts() as Record<string, unknown>)[attribute];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export function outputFormat(command: Command): OutputFormat {
  const attribute = formatAttributeOf(command);
  let root = command;
  while (root.parent) root = root.parent;
  const local = attribute ? (command.opts() as Record<string, string | undefined>)[attribute] : undefined;
  const format = local ?? (root.opts() as GlobalOptions).output ?? 'table';
  if (format !== 'table' && format !== 'json') {
    throw new UsageError('INVALID_OUTPUT_FORMAT', `--output "${format}" is not supported: use table or json`);
  }
  return format;
}

export function controlPlaneUrl(command: Command): string {
  return globalOptions(command).controlPlane ?? process.env.CHAINLOOP_CONTROL_PLANE_API ?? DEFAULT_CONTROL_PLANE;
}

/** A token and where it came from (named in a 401, so a bad one is fixed where it was set). */
export interface TokenWithSource {
  token: string;
  source: '--token' | 'CHAINLOOP_ROBOT_ACCOUNT' | 'CHAINLOOP_TOKEN';
}

/** Admin commands: --token, else CHAINLOOP_TOKEN. */
export function adminToken(command: Command): TokenWithSource {
  const flag = globalOptions(command).token;
  const token = flag ?? process.env.CHAINLOOP_TOKEN;
  if (!token) {
    throw new UsageError('TOKEN_MISSING', 'no API token: pass --token or set CHAINLOOP_TOKEN');
  }
  return { token, source: flag !== undefined ? '--token' : 'CHAINLOOP_TOKEN' };
}

/** Crafting commands: --token, else CHAINLOOP_ROBOT_ACCOUNT (the seed's name), else CHAINLOOP_TOKEN. */
export function optionalRobotToken(command: Command): TokenWithSource | undefined {
  const flag = globalOptions(command).token;
  if (flag) return { token: flag, source: '--token' };
  const robot = process.env.CHAINLOOP_ROBOT_ACCOUNT;
  if (robot) return { token: robot, source: 'CHAINLOOP_ROBOT_ACCOUNT' };
  const token = process.env.CHAINLOOP_TOKEN;
  return token ? { token, source: 'CHAINLOOP_TOKEN' } : undefined;
}

export function robotToken(command: Command): TokenWithSource {
  const token = optionalRobotToken(command);
  if (!token) {
    throw new UsageError(
      'TOKEN_MISSING',
      'no robot account token: pass --token or set CHAINLOOP_ROBOT_ACCOUNT (or CHAINLOOP_TOKEN)',
    );
  }
  return token;
}
