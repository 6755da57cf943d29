/**
 * The README's "same by hand" block, extracted from the README and run as written (bash -e) in a fresh clone:
 * control plane, workflow, contract, robot account, key, materials, init, adds, status, push, offline verify.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'readme-by-hand-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

export function byHandBlock(readme: string): string {
  const start = readme.indexOf('The same by hand');
  assert.ok(start >= 0, 'the README has its "same by hand" block');
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block, 'a bash block follows "The same by hand"');
  return block[1];
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

test("the README's by-hand block runs verbatim in a fresh clone", { timeout: 300_000 }, async () => {
  const clone = join(scratch, 'clone');
  execFileSync('git', ['clone', '-q', repoRoot, clone]);
  // The clone's `npm ci`, without downloading again: the workspace's installed tree (and its built packages).
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
  const script = byHandBlock(readFileSync(join(clone, 'README.md'), 'utf8'));
  assert.ok(await portIsFree(8000), 'port 8000 is taken: the block starts the control plane on its default port');
  const tmp = join(scratch, 'tmp');
  mkdirSync(tmp);
  // Its own process group, so whatever the block left running (the control plane when a step fails) is stopped.
  const child = spawn('bash', ['-e', '-c', script], {
    cwd: clone,
    env: { PATH: process.env.PATH, HOME: scratch, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const status = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  // The block stops its own control plane: the port is free again once the block has ended.
  let stopped = await portIsFree(8000);
  for (let waited = 0; !stopped && waited < 50; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopped = await portIsFree(8000);
  }
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // the group is gone: nothing of the block is left running
  }
  assert.equal(status, 0, output);
  assert.match(output, /INF Attestation pushed!/);
  assert.match(output, /INF attestation verified: signed by public key/);
  assert.ok(stopped, 'the block leaves its control plane running');
});
