// Runs node:test over every *.test.ts below the given folders (or the given files) (Node 20's --test has no glob support).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'fixtures') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
// A root may be a folder or one test file (to run a single file the same way CI does).
const files = roots.flatMap((root) => (statSync(root).isFile() ? [root] : collect(root, []))).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
// A hang must fail, never stall CI: each file (and each test in it) gets at most this long; tests that need less say so
// with their own node:test `timeout`. Stdin is /dev/null so no test can wait on a terminal or on the runner's pipe.
const FILE_TIMEOUT_MS = Number(process.env.CHAINLOOP_TEST_FILE_TIMEOUT_MS ?? 10 * 60 * 1000);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${FILE_TIMEOUT_MS}`, ...files],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
process.exit(result.status ?? 1);
