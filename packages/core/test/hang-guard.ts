/**
 * Imported by every core test file (test/hang-guard.test.ts checks that): a test that would wait forever fails
 * instead of stalling the run.
 *
 * - `process.stdin` throws. Code under test reads a signing password from stdin when nothing else gives one, and
 *   the test runner hands each file a stdin pipe that never closes: a read there blocks forever and keeps the file's
 *   process alive even after node:test has timed the test out. Tests pass their own input stream instead.
 * - A watchdog ends the file with exit code 1 once it has run FILE_TIMEOUT_MS, naming the tests still running. It is
 *   unref'd, so it never keeps a finished file alive; it only fires when something (a server, a socket, a child)
 *   holds the process past the limit.
 */
import { afterEach, beforeEach } from 'node:test';

/** Generous: the whole core suite takes about a minute on a loaded 2-core machine, its slowest file seconds. */
const DEFAULT_FILE_TIMEOUT_MS = 5 * 60_000;

/** CHAINLOOP_TEST_FILE_TIMEOUT_MS (also read by scripts/run-tests.mjs) overrides it; hang-guard.test.ts sets a short one. */
export const FILE_TIMEOUT_MS = Number(process.env.CHAINLOOP_TEST_FILE_TIMEOUT_MS) || DEFAULT_FILE_TIMEOUT_MS;

export const STDIN_REFUSAL =
  'core tests must not read the test runner stdin (it never closes): pass the code under test its own input stream';

Object.defineProperty(process, 'stdin', {
  configurable: true,
  enumerable: true,
  get() {
    throw new Error(STDIN_REFUSAL);
  },
});

const running = new Set<string>();
beforeEach((t) => {
  running.add(t.name);
});
afterEach((t) => {
  running.delete(t.name);
});

setTimeout(() => {
  const names = running.size > 0 ? [...running].join('; ') : '(between tests: a hook or the file itself)';
  process.stderr.write(`hang guard: still running after ${FILE_TIMEOUT_MS} ms, failing the file: ${names}\n`);
  process.exit(1);
}, FILE_TIMEOUT_MS).unref();
