import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Parameters } from './harness/config-model';
import { orbSourceDir, packageDir, packOrbTo } from './harness/orb-files';

const dir = mkdtempSync(join(tmpdir(), 'orb-conventions-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const scriptsDir = join(orbSourceDir, 'scripts');
const scripts = readdirSync(scriptsDir).filter((file) => file.endsWith('.sh'));

function everyParameter(): [string, string, Parameters[string]][] {
  const found: [string, string, Parameters[string]][] = [];
  for (const section of ['commands', 'jobs', 'executors'] as const) {
    const elements: Record<string, { parameters?: Parameters }> = orb[section] ?? {};
    for (const [element, definition] of Object.entries(elements)) {
      for (const [name, declaration] of Object.entries(definition.parameters ?? {})) {
        found.push([`${section}.${element}`, name, declaration]);
      }
    }
  }
  return found;
}

test('secrets are never parameters: token, key and password parameters name the variable that holds them', {
  timeout: 60_000,
}, () => {
  const secretLike = everyParameter().filter(([, name]) => /token|key|password|secret/i.test(name));
  assert.ok(secretLike.length >= 10, 'the orb has its token/key/password parameters');
  for (const [element, name, declaration] of secretLike) {
    assert.equal(declaration.type, 'env_var_name', `${element} parameter ${name}`);
    assert.match(String(declaration.default), /^[A-Z][A-Z0-9_]+$/, `${element} parameter ${name} default`);
  }
});

test('parameters reach scripts only through environment: (no << parameters >> inside a command)', {
  timeout: 60_000,
}, () => {
  const runSteps: { where: string; run: { command: string; environment?: Record<string, unknown> } }[] = [];
  const visit = (tree: unknown, where: string) => {
    if (Array.isArray(tree)) {
      for (const [index, item] of tree.entries()) visit(item, `${where}[${index}]`);
    } else if (tree && typeof tree === 'object') {
      const run = (tree as { run?: { command: string; environment?: Record<string, unknown> } }).run;
      if (run && typeof run === 'object') runSteps.push({ where, run });
      for (const [key, value] of Object.entries(tree)) visit(value, `${where}.${key}`);
    }
  };
  visit(orb.commands, 'commands');
  assert.ok(runSteps.length >= 7);
  for (const { where, run } of runSteps) {
    assert.doesNotMatch(run.command, /<</, `${where}: the script must not contain << (CircleCI would parse it)`);
    for (const [name, value] of Object.entries(run.environment ?? {})) {
      assert.match(name, /^PARAM_[A-Z][A-Z0-9_]*$/, `${where}: environment ${name}`);
      assert.match(String(value), /^(<< parameters\.[a-z][a-z0-9_]* >>|success|failed)$/, `${where}: ${name}`);
    }
  }
});

test('the scripts pass shellcheck', { timeout: 60_000 }, () => {
  const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', ...scripts], {
    cwd: scriptsDir,
    encoding: 'utf8',
  });
  assert.ok(!result.error, `shellcheck could not run (${result.error?.message}): bash scripts/ensure-system-deps.sh`);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('finish pushes in an on_success step and resets in an on_fail step, through attestation finish --ci circleci', {
  timeout: 60_000,
}, () => {
  const steps = orb.commands?.finish.steps as { run: { when: string; environment: Record<string, string> } }[];
  assert.deepEqual(
    steps.map((step) => [step.run.when, step.run.environment.PARAM_STATUS]),
    [
      ['on_success', 'success'],
      ['on_fail', 'failed'],
    ],
  );
  assert.match(
    readFileSync(join(scriptsDir, 'finish.sh'), 'utf8'),
    /attestation finish --ci circleci --status "\$PARAM_STATUS"/,
  );
});

test('versions stay in step: install defaults to the CLI package version, examples import the orb at its version', {
  timeout: 60_000,
}, () => {
  const cliVersion = JSON.parse(readFileSync(join(packageDir, '..', 'cli', 'package.json'), 'utf8')).version;
  const orbVersion = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  assert.equal(orb.commands?.install.parameters?.version.default, cliVersion);
  for (const job of ['attest', 'attach-materials'])
    assert.equal(orb.jobs?.[job].parameters?.version.default, cliVersion);
  for (const [name, example] of Object.entries(orb.examples ?? {})) {
    assert.equal(example.usage.orbs?.chainloop, `chainloop-ts/chainloop@${orbVersion}`, `example ${name}`);
  }
});
