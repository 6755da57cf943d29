/**
 * The README's "same by hand" block, extracted from the README and run as written (bash -e) in a fresh clone:
 * control plane, workflow, contract, robot account, key, materials, init, adds, status, push, offline verify.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/**
 * Runs in a network namespace of its own (loopback only), so the block's control plane gets the documented port 8000
 * whoever else on this machine uses it. After the block, it reports whether anything still listens on 8000 (the
 * block must stop its control plane), waiting up to 5 s for a shutdown in progress.
 */
const DRIVER = `ip link set lo up
bash -e "$0"
status=$?
for _ in $(seq 50); do
  if ! (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null; then echo "driver: port 8000 free"; exit $status; fi
  sleep 0.1
done
echo "driver: port 8000 still taken"
exit $status
`;

test("the README's by-hand block runs verbatim in a fresh clone", { timeout: 300_000 }, async () => {
  const clone = join(scratch, 'clone');
  execFileSync('git', ['clone', '-q', repoRoot, clone]);
  // The clone's `npm ci`, without downloading again: the workspace's installed tree (and its built packages).
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
  const script = byHandBlock(readFileSync(join(clone, 'README.md'), 'utf8'));
  const blockFile = join(scratch, 'by-hand.sh');
  writeFileSync(blockFile, script);
  const tmp = join(scratch, 'tmp');
  mkdirSync(tmp);
  // Its own process group, so whatever the block left running (the control plane when a step fails) is stopped.
  const child = spawn('unshare', ['-n', 'bash', '-c', DRIVER, blockFile], {
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
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // the group is gone: nothing of the block is left running
  }
  assert.equal(status, 0, output);
  assert.match(output, /INF Attestation pushed!/);
  assert.match(output, /INF attestation verified: signed by public key/);
  assert.match(output, /driver: port 8000 free/, 'the block leaves its control plane running');
});
