import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCliPath } from './chainloop-cli';
import * as workflow from './workflow-commands';

/**
 * Puts a `chainloop` command on PATH for the job's later `run:` steps (adding materials built after this step), so
 * no install step is needed. It runs the bundled CLI with the Node the runner gave this action, not whatever `node`
 * the image has.
 */
export function installCliOnPath(): string {
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), 'chainloop-ts-cli');
  mkdirSync(dir, { recursive: true });
  const node = process.execPath;
  const cli = bundledCliPath();
  const shell = join(dir, 'chainloop');
  writeFileSync(shell, `#!/bin/sh\nexec '${node.replaceAll("'", `'\\''`)}' '${cli.replaceAll("'", `'\\''`)}' "$@"\n`);
  chmodSync(shell, 0o755);
  writeFileSync(join(dir, 'chainloop.cmd'), `@"${node}" "${cli}" %*\r\n`);
  workflow.addPath(dir);
  return dir;
}
