/**
 * A Node 20 install is clean: every package in the locked tree (dependencies and dev tools alike — `npm ci` installs
 * and engine-checks them all) accepts the oldest Node the root package.json promises, so `npm ci` prints no
 * EBADENGINE warning. The check mirrors npm's own (npm-install-checks: `engines.node` / `engines.npm`, prereleases
 * included). When a dependency moves to a newer Node, pin an older version that still supports ours with an
 * `overrides` entry in the root package.json (see cookie under light-my-request) rather than widening this test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import semver from 'semver';
import { repoRoot } from '../support/paths';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: Record<string, string> | string[];
}

const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
// The npm that ships with the oldest supported Node (Node 20.19.0 bundles npm 10.8.2).
const OLDEST_NPM = '10.8.2';

/** The node/npm ranges a package declares, in either the object form or the old `["node >= 6"]` array form. */
function declaredRanges(engines: LockedPackage['engines']): { node?: string; npm?: string } {
  if (engines === undefined) return {};
  if (!Array.isArray(engines)) return { node: engines.node, npm: engines.npm };
  const ranges: { node?: string; npm?: string } = {};
  for (const entry of engines) {
    const match = /^\s*(node|npm)\s*(.*)$/.exec(entry);
    if (match) ranges[match[1] as 'node' | 'npm'] = match[2].trim() || '*';
  }
  return ranges;
}

test('every locked package accepts the oldest Node and npm the root package.json supports', { timeout: 30_000 }, () => {
  const oldestNode = semver.minVersion(rootManifest.engines.node)?.version;
  assert.ok(oldestNode, `root package.json engines.node "${rootManifest.engines.node}" has no minimum version`);
  assert.equal(oldestNode, '20.19.0', 'the README promises Node 20.19+; keep engines.node in step with it');

  const checked: string[] = [];
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue;
    const ranges = declaredRanges(entry.engines);
    const name = `${path.replace(/^.*node_modules\//, '') || path}@${entry.version ?? '?'} (${path}${entry.dev ? ', dev' : ''})`;
    for (const [engine, oldest] of [
      ['node', oldestNode],
      ['npm', OLDEST_NPM],
    ] as const) {
      const range = ranges[engine];
      if (range === undefined) continue;
      checked.push(path);
      if (!semver.satisfies(oldest, range, { includePrerelease: true })) {
        refused.push(`${name} requires ${engine} ${range}, not satisfied by ${engine} ${oldest}`);
      }
    }
  }
  // The check must have looked at the real tree, not an empty or unreadable lockfile.
  assert.ok(
    checked.length > 100,
    `only ${checked.length} locked packages declare engines; is package-lock.json intact?`,
  );
  assert.deepEqual(
    refused,
    [],
    `npm ci on Node ${oldestNode} would warn EBADENGINE for:\n  ${refused.join('\n  ')}\n` +
      'fix: pin a version that supports it with an "overrides" entry in the root package.json, then npm install',
  );
});

test('the cookie pinned under light-my-request still serves fastify inject (which the control-plane tests use)', {
  timeout: 30_000,
}, async () => {
  // The override steps outside light-my-request's declared cookie range (^2, Node 22+) to cookie 1.1.x, which has the
  // same stringifySetCookie({ name, value }) that light-my-request calls; this proves the real pair still works.
  const app = Fastify();
  app.get('/', async (request, reply) => {
    reply.header('set-cookie', 'session=abc; Path=/');
    return { cookie: request.headers.cookie ?? null };
  });
  try {
    const response = await app.inject({ method: 'GET', url: '/', cookies: { a: 'x y', b: '1' } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { cookie: 'a=x%20y; b=1' });
    assert.deepEqual(
      response.cookies.map(({ name, value }) => ({ name, value })),
      [{ name: 'session', value: 'abc' }],
    );
  } finally {
    await app.close();
  }
});
