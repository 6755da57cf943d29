/**
 * The bundled CLI compiles itself with a V8 code cache kept per user (packages/cli/build.mjs, `loader`): what is
 * written where, when it is rewritten, and that a damaged or unsafe cache is never used.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
let home: string;
let cacheDir: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [bundle, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return result;
}

const caches = () => readdirSync(cacheDir).filter((name) => name.endsWith('.v8cache'));

/** The shapes a cache file says it holds (its header), and its bytes. */
function readCache(name: string): { shapes: string[]; bytes: Buffer } {
  const bytes = readFileSync(join(cacheDir, name));
  assert.equal(bytes.toString('latin1', 0, 4), 'CLC1');
  const end = 8 + bytes.readUInt32LE(4);
  return { shapes: JSON.parse(bytes.toString('utf8', 8, end)), bytes };
}

describe('compile cache', () => {
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'cli-cache-'));
    cacheDir = join(home, 'cache', 'chainloop-ts');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  test('one cache per command, private to the user, written once per shape', () => {
    cli(['--version']);
    cli(['attestation', 'status', '--help']);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    const version = caches().find((name) => /^cli-[0-9a-f]{16}-v[\d.]+-\w+\.v8cache$/.test(name));
    const status = caches().find((name) => name.endsWith('-attestation-status.v8cache'));
    assert.ok(version && status, `caches: ${caches().join(', ')}`);
    assert.equal(statSync(join(cacheDir, status)).mode & 0o777, 0o600);
    assert.deepEqual(readCache(status).shapes, ['--help']);

    const before = readCache(status).bytes;
    cli(['attestation', 'status', '--help']);
    assert.ok(readCache(status).bytes.equals(before), 'the same shape again leaves the cache alone');

    cli(['attestation', 'status', '-o', 'json', '--help']);
    assert.deepEqual(readCache(status).shapes, ['--help', '--help --output']);
  });

  test('a shape is the long names of the options given and the material kinds crafted, never a value', {
    timeout: 60_000,
  }, () => {
    const state = join(home, 'state.json');
    writeDryRunState(state);
    cli(['attestation', 'add', '--name', 'one', '--kind', 'STRING', '--value', '-v', '--local-state-path', state]);
    const add = caches().find((name) => name.endsWith('-attestation-add.v8cache'));
    assert.ok(add, `caches: ${caches().join(', ')}`);
    assert.deepEqual(readCache(add).shapes, ['--kind --local-state-path --name --value STRING']);
    // Another material name, same options and kind: the same shape.
    cli(['attestation', 'add', '--name', 'two', '--kind', 'STRING', '--value', 'v', '--local-state-path', state]);
    assert.deepEqual(readCache(add).shapes, ['--kind --local-state-path --name --value STRING']);
    // An alias names its own cache; options before the command go to the command-less cache.
    cli(['att', 'add', '--materials', 'STRING:three=v', '--local-state-path', state]);
    assert.deepEqual(readCache(add.replace('-attestation-add.', '-att-add.')).shapes, [
      '--local-state-path --materials STRING',
    ]);
    cli(['-o', 'json', 'attestation', 'status', '--local-state-path', state]);
    const root = caches().find((name) => /^cli-[0-9a-f]{16}-v[\d.]+-\w+\.v8cache$/.test(name));
    assert.ok(root, `caches: ${caches().join(', ')}`);
    assert.deepEqual(readCache(root).shapes, ['--local-state-path --output']);
  });

  test('a cache is named after commands only: words that are none name no file', { timeout: 60_000 }, () => {
    for (const args of [['nosuchcommand'], ['attestation', 'nosuchcommand'], ['help', 'attestation']]) {
      const result = spawnSync(process.execPath, [bundle, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache') },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      assert.notEqual(result.status, null);
    }
    assert.deepEqual(
      caches().filter((name) => name.includes('nosuchcommand') || name.includes('help')),
      [],
    );
  });

  test('a damaged cache is ignored and replaced; CHAINLOOP_NO_COMPILE_CACHE=1 writes none', () => {
    cli(['--version']);
    const [name] = caches();
    writeFileSync(join(cacheDir, name), Buffer.concat([Buffer.from('CLC1'), Buffer.alloc(4), Buffer.from('garbage')]));
    assert.equal(cli(['--version']).stdout.trim().length > 0, true);
    writeFileSync(join(cacheDir, name), 'not a cache at all');
    cli(['--version']);
    assert.deepEqual(readCache(name).shapes, ['--version']);

    rmSync(cacheDir, { recursive: true });
    cli(['--version'], { CHAINLOOP_NO_COMPILE_CACHE: '1' });
    assert.deepEqual(readdirSync(join(home, 'cache')), []);
  });

  test('a cache directory others can write to is not used', () => {
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o777);
    cli(['--version']);
    assert.deepEqual(caches(), []);
  });

  test('caches of old builds are removed, the three newest builds kept', () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const old = ['0000000000000001', '0000000000000002', '0000000000000003'];
    old.forEach((build, index) => {
      const file = join(cacheDir, `cli-${build}-v20.0.0-x64.v8cache`);
      writeFileSync(file, 'old');
      const time = new Date(Date.now() - (index + 1) * 60_000);
      utimesSync(file, time, time);
    });
    cli(['--version']);
    const builds = new Set(caches().map((name) => /^cli-([0-9a-f]{16})-/.exec(name)?.[1]));
    assert.equal(builds.size, 3);
    assert.ok(builds.has('0000000000000001') && builds.has('0000000000000002'));
    assert.ok(!builds.has('0000000000000003'), 'the oldest build went');
  });
});
