/**
 * What a user sees when asking for help or mistyping: every help lists the options that work everywhere (--token,
 * --control-plane, -o) with the environment variables they fall back to, and a typo gets one ERR line with commander's
 * suggestion and the help to read, not a page of usage.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from './helpers/control-plane-cli';

describe('help', { timeout: 120_000 }, () => {
  test('a leaf command lists the global options and the variables they fall back to; exit 0', () => {
    for (const command of [
      ['workflow', 'list'],
      ['attestation', 'add'],
      ['artifact', 'download'],
    ]) {
      const help = runCli([...command, '--help']);
      const name = command.join(' ');
      assert.equal(help.status, 0, `${name}: ${help.stderr}`);
      assert.equal(help.stderr, '', name);
      assert.match(help.stdout, new RegExp(`^Usage: chainloop ${name} `), name);
      const [, global = ''] = help.stdout.split(/^Global Options:$/m);
      // Help wraps its descriptions: read them as one line.
      const globals = global.replace(/\s+/g, ' ');
      assert.match(globals, /-t, --token <token> .*CHAINLOOP_TOKEN.*CHAINLOOP_ROBOT_ACCOUNT/, name);
      assert.match(globals, /--control-plane <url> .*CHAINLOOP_CONTROL_PLANE_API/, name);
      assert.doesNotMatch(globals, /--version/, `${name}: --version works only before the subcommand`);
      // -o is the command's own option, listed once.
      assert.equal(help.stdout.match(/^ {2}-o, /gm)?.length, 1, `${name}:\n${help.stdout}`);
    }
  });

  test('a command group lists them too, -o among them', () => {
    const help = runCli(['workflow', '--help']);
    assert.equal(help.status, 0, help.stderr);
    const [, global = ''] = help.stdout.split(/^Global Options:$/m);
    assert.match(global, /-t, --token <token>/);
    assert.match(global, /--control-plane <url>/);
    assert.match(global, /-o, --output <format>/);
  });

  test('--version prints the version alone, exit 0', () => {
    const version = runCli(['--version']);
    const { version: expected } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${expected}\n`);
    assert.equal(version.stderr, '');
  });
});

describe('typos', { timeout: 120_000 }, () => {
  const cases: Array<{ args: string[]; line: RegExp }> = [
    {
      args: ['workflw', 'list'],
      line: /^ERR unknown command 'workflw', did you mean workflow\? \(see chainloop --help\)$/,
    },
    {
      args: ['workflow', 'lst'],
      line: /^ERR unknown command 'lst', did you mean list\? \(see chainloop workflow --help\)$/,
    },
    {
      args: ['workflow', 'list', '--outptu', 'json'],
      line: /^ERR unknown option '--outptu', did you mean --output\? \(see chainloop workflow list --help\)$/,
    },
    {
      args: ['attestation', 'add', '--name'],
      line: /^ERR option '--name <name>' argument missing \(see chainloop attestation add --help\)$/,
    },
    {
      args: ['attestation', 'verify'],
      line: /^ERR missing required argument 'file' \(see chainloop attestation verify --help\)$/,
    },
    { args: ['--no-such-flag'], line: /^ERR unknown option '--no-such-flag' \(see chainloop --help\)$/ },
  ];
  for (const { args, line } of cases) {
    test(`chainloop ${args.join(' ')}: one ERR line, exit 2`, () => {
      const result = runCli(args);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, `one line, no help page:\n${result.stderr}`);
      assert.match(lines[0], line);
    });
  }
});
