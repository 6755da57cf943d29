import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import * as workflow from './workflow-commands';

/** The variable the signing key travels in; the CLI reads it through `--key env://CHAINLOOP_SIGNING_KEY`. */
export const SIGNING_KEY_VARIABLE = 'CHAINLOOP_SIGNING_KEY';

/** What the CLI needs from the action's inputs. Secrets reach the CLI only as environment variables. */
export interface CliSettings {
  controlPlane?: string;
  token?: string;
  signingKey?: string;
  signingKeyPassword?: string;
}

/** The CLI bundle shipped next to main.js and post.js in dist/, run by the Node the runner gave the action. */
export function bundledCliPath(): string {
  return join(import.meta.dirname, 'chainloop.cjs');
}

export function cliEnvironment(settings: CliSettings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The raw inputs (token, key, password among them) are the action's business, not the CLI's.
    if (!name.startsWith('INPUT_')) env[name] = value;
  }
  if (settings.controlPlane) env.CHAINLOOP_CONTROL_PLANE_API = settings.controlPlane;
  if (settings.token) env.CHAINLOOP_TOKEN = settings.token;
  if (settings.signingKey) env[SIGNING_KEY_VARIABLE] = settings.signingKey;
  if (settings.signingKeyPassword !== undefined) env.CHAINLOOP_SIGNING_PASSWORD = settings.signingKeyPassword;
  return env;
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/**
 * Runs `chainloop <args>`: logs the command line the way @actions/exec does, streams the CLI's log lines (stderr)
 * into the job log, and returns its stdout. A failure becomes an error carrying the CLI's own `ERR` line.
 */
export function runChainloop(
  args: string[],
  settings: CliSettings,
  options: { echoStdout?: boolean; echoStderr?: boolean } = {},
) {
  workflow.info(`[command]chainloop ${args.map(quoteForLog).join(' ')}`);
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [bundledCliPath(), ...args], {
      env: cliEnvironment(settings),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partialLine = '';
    const echoLine = (line: string) => {
      if (options.echoStderr === false) return;
      // The CLI's warnings (a glob that matched nothing, a policy violation, context not collected) are the job's
      // warnings: annotations on the run, not lines lost in the log.
      if (line.startsWith('WRN ')) workflow.warning(line.slice(4));
      else process.stdout.write(`${line}\n`);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.echoStdout) process.stdout.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Whole lines only: a chunk may end mid-line, and a split `WRN` line would not be recognised.
      const lines = (partialLine + chunk).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) echoLine(line);
    });
    child.on('error', (error) =>
      reject(new ChainloopError('CLI_NOT_STARTED', `cannot run ${bundledCliPath()}: ${error.message}`)),
    );
    child.on('close', (status) => {
      if (partialLine !== '') echoLine(partialLine);
      if (status === 0) return resolve(stdout);
      const errorLine = stderr
        .split('\n')
        .reverse()
        .find((line) => line.startsWith('ERR '));
      const reason = errorLine ? errorLine.slice(4) : `exited with ${status}`;
      reject(new ChainloopError('CLI_FAILED', `chainloop ${args.slice(0, 2).join(' ')}: ${reason}`));
    });
  });
}
