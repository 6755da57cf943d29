import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { copyOrbSource, orbSourceDir, packOrbTo, runPack } from './harness/orb-files';

const dir = mkdtempSync(join(tmpdir(), 'orb-pack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const elementNames = (section: string) =>
  readdirSync(join(orbSourceDir, section))
    .map((file) => file.replace(/\.yml$/, ''))
    .sort();

test('pack folds every source file into the orb under its file name, the way circleci orb pack does', {
  timeout: 60_000,
}, () => {
  const { orb } = packOrbTo(join(dir, 'orb.yml'));
  assert.equal(orb.version, 2.1);
  assert.match(orb.description ?? '', /Chainloop attestations/);
  for (const section of ['commands', 'jobs', 'executors', 'examples'] as const) {
    assert.deepEqual(Object.keys(orb[section] ?? {}).sort(), elementNames(section), section);
  }
  for (const required of ['install', 'init', 'add', 'push', 'reset', 'finish']) {
    assert.ok(orb.commands?.[required], `command ${required}`);
  }
  assert.ok(orb.jobs?.attest && orb.jobs['attach-materials']);
  assert.ok(orb.executors?.default);
});

test('every <<include(scripts/…)>> becomes the script text, and every script is included', { timeout: 60_000 }, () => {
  const { text, orb } = packOrbTo(join(dir, 'orb.yml'));
  assert.doesNotMatch(text, /include\(/);
  const scripts = new Map(
    readdirSync(join(orbSourceDir, 'scripts')).map((file) => [
      readFileSync(join(orbSourceDir, 'scripts', file), 'utf8'),
      file,
    ]),
  );
  const included = new Set<string>();
  const visit = (tree: unknown) => {
    if (Array.isArray(tree)) tree.forEach(visit);
    else if (tree && typeof tree === 'object') {
      const run = (tree as { run?: { command?: string } }).run;
      if (run?.command !== undefined) {
        const file = scripts.get(run.command);
        assert.ok(file, `a run step whose command is not one of src/scripts: ${run.command.slice(0, 80)}`);
        included.add(file);
      }
      Object.values(tree).forEach(visit);
    }
  };
  visit(orb.commands);
  assert.deepEqual([...included].sort(), [...scripts.values()].sort());
});

test('packing is deterministic', { timeout: 60_000 }, () => {
  assert.equal(packOrbTo(join(dir, 'a.yml')).text, packOrbTo(join(dir, 'b.yml')).text);
});

test('broken sources fail the pack with a one-line error naming the file', { timeout: 60_000 }, () => {
  const cases: [string, (src: string) => void, RegExp][] = [
    [
      'missing include',
      (src) =>
        writeFileSync(
          join(src, 'commands', 'init.yml'),
          readFileSync(join(src, 'commands', 'init.yml'), 'utf8').replace('scripts/init.sh', 'scripts/nope.sh'),
        ),
      /^ERR orb pack: commands\/init\.yml: include\(scripts\/nope\.sh\): file not found/,
    ],
    [
      'include outside src',
      (src) =>
        writeFileSync(
          join(src, 'commands', 'add.yml'),
          readFileSync(join(src, 'commands', 'add.yml'), 'utf8').replace('scripts/add.sh', '../../package.json'),
        ),
      /^ERR orb pack: commands\/add\.yml: include\(\.\.\/\.\.\/package\.json\) points outside/,
    ],
    [
      'invalid YAML',
      (src) => writeFileSync(join(src, 'jobs', 'attest.yml'), 'description: [unclosed\n'),
      /^ERR orb pack: jobs\/attest\.yml: invalid YAML/,
    ],
    [
      'element defined twice',
      (src) =>
        writeFileSync(
          join(src, '@orb.yml'),
          `${readFileSync(join(src, '@orb.yml'), 'utf8')}\ncommands:\n  add:\n    steps: [checkout]\n`,
        ),
      /^ERR orb pack: commands\/add\.yml: commands\.add is also defined in @orb\.yml/,
    ],
  ];
  for (const [name, breakIt, expected] of cases) {
    const src = copyOrbSource(mkdtempSync(join(dir, 'src-')));
    breakIt(src);
    const result = runPack(['--src', src, '--out', join(dir, 'broken.yml')]);
    assert.equal(result.status, 1, name);
    assert.match(result.stderr, expected, name);
    assert.equal(result.stderr.trim().split('\n').length, 1, `${name}: one line`);
  }
});
