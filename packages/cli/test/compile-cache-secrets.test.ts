/**
 * The bundled CLI's V8 code caches (packages/cli/build.mjs, `loader`) are files CI steps often save and share: no
 * value the user typed may reach them, whatever its first character — neither their names, nor their headers (the
 * shapes of the runs that wrote them), nor the code cache V8 serialised. Only command names and option names of the
 * CLI, and material kinds (a fixed enum), may.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const cliDir = join(import.meta.dirname, '..');
const chart = join(cliDir, '..', '..', 'fixtures', 'vectors', 'materials', 'valid-chart.tgz');
const work = mkdtempSync(join(tmpdir(), 'cli-cache-secrets-'));
const home = join(work, 'home');
const cacheHome = join(work, 'cache');
const cacheDir = join(cacheHome, 'chainloop-ts');
const state = join(work, 'state.json');

const SECRETS = {
  token: '-SECRETTOKEN123',
  registryPassword: '-SECRETPASSWORD789',
  value: '-SECRETVALUE456',
  dashedEqualsValue: '--SECRETEQUALS321',
  name: 'secretname-314159',
  kind: 'SECRETKIND',
  unknownFlag: '-SECRETUNKNOWNFLAG',
  commandWord: 'secretcommandword',
  subcommandWord: 'secretsubcommandword',
};

// The sources, not whatever dist/ holds: this test guards the loader build.mjs writes.
const bundle = freshCliBundle();

before(() => {
  mkdirSync(home);
});
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: cacheHome, TMPDIR: work },
  });
}

/** Every file below `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no option value, material name or unknown word reaches the code cache files', { timeout: 120_000 }, () => {
  const runs: { args: string[]; status?: number }[] = [
    // init fails (no control plane listens there), after commander parsed everything.
    {
      args: [
        'attestation',
        'init',
        '--dry-run',
        '--token',
        SECRETS.token,
        '--control-plane',
        'http://127.0.0.1:9',
        '--local-state-path',
        join(work, 'unused.json'),
      ],
    },
    // Global options before the command.
    { args: ['--token', SECRETS.token, 'attestation', 'status', '--local-state-path', state] },
    {
      args: [
        'attestation',
        'add',
        '--name',
        'x',
        '--value',
        SECRETS.value,
        '--registry-password',
        SECRETS.registryPassword,
        '--token',
        SECRETS.token,
        '--local-state-path',
        state,
      ],
      status: 0,
    },
    {
      args: ['attestation', 'add', `--value=${SECRETS.dashedEqualsValue}`, '--name', 'y', '--local-state-path', state],
      status: 0,
    },
    {
      args: [
        'attestation',
        'add',
        '--name',
        SECRETS.name,
        '--kind',
        'STRING',
        '--value',
        'v',
        '--local-state-path',
        state,
      ],
      status: 0,
    },
    // A kind that is not one: refused, after parsing.
    {
      args: ['attestation', 'add', '--name', 'z', '--kind', SECRETS.kind, '--value', 'v', '--local-state-path', state],
    },
    // A packed bundle (tar) gets a cache of its own, with the run's shape in its header.
    {
      args: [
        'attestation',
        'add',
        '--name',
        'chart',
        '--kind',
        'HELM_CHART',
        '--value',
        chart,
        '--local-state-path',
        state,
      ],
      status: 0,
    },
    // Words that are not commands: the cache's name must not come from them.
    { args: [SECRETS.commandWord] },
    { args: ['attestation', SECRETS.subcommandWord] },
    { args: [SECRETS.unknownFlag] },
    { args: ['attestation', 'status', SECRETS.unknownFlag] },
  ];
  // Twice: the second round reads the caches the first wrote (and may rewrite them).
  for (const round of [1, 2]) {
    writeDryRunState(state, {
      contractMaterials: ['x', 'y'].map((name) => ({
        name,
        type: 'STRING',
        optional: false,
        output: false,
        skipUpload: false,
        annotations: [],
      })),
    });
    for (const { args, status } of runs) {
      const result = cli(args);
      assert.ok(result.status !== null, `chainloop ${args.join(' ')} timed out`);
      if (status !== undefined)
        assert.equal(result.status, status, `round ${round}: ${args.join(' ')}: ${result.stderr}`);
    }
  }

  const files = filesUnder(cacheDir);
  // Without caches written by the runs that carried secrets this test proves nothing.
  const shapesOf = (suffix: string) => {
    const file = files.find((path) => path.endsWith(suffix));
    assert.ok(file, `no ${suffix} cache: ${files.join(', ')}`);
    const bytes = readFileSync(file);
    return JSON.parse(bytes.toString('utf8', 8, 8 + bytes.readUInt32LE(4))) as string[];
  };
  assert.ok(shapesOf('-attestation-init.v8cache').some((shape) => shape.includes('--token')));
  assert.ok(shapesOf('-attestation-add.v8cache').some((shape) => shape.includes('--registry-password')));
  assert.ok(shapesOf('-packed-tar.v8cache').length > 0);
  const leaks: string[] = [];
  for (const file of files) {
    const name = file.slice(cacheDir.length + 1);
    const bytes = readFileSync(file);
    for (const [what, secret] of Object.entries(SECRETS)) {
      const bare = secret.replace(/^-+/, '');
      if (name.toLowerCase().includes(bare.toLowerCase())) leaks.push(`${what} in the name of ${name}`);
      for (const encoding of ['utf8', 'utf16le'] as const) {
        const at = bytes.indexOf(Buffer.from(bare, encoding));
        if (at >= 0) leaks.push(`${what} (${encoding}) at byte ${at} of ${name}`);
      }
    }
  }
  assert.deepEqual(leaks, []);
});
