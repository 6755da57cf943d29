import { spawn } from 'node:child_process';
import { cliBundle } from './paths';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a CLI invocation gets: nothing from the test runner's own environment (which may be a CI's),
 * only PATH, HOME and TMPDIR plus what the test passes.
 */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** Runs the bundled CLI (the file the CI adapters ship) with plain node. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; node?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [cliBundle, ...args], {
      env: options.env ?? baseEnv(),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    // A command that fails fast may exit before reading its input.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
