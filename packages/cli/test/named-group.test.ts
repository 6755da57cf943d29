import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, namedGroup } from '../src/main';

const argv = (...args: string[]) => ['node', 'chainloop', ...args];

test('the group a command line names is its first word after the program options', { timeout: 10_000 }, () => {
  assert.equal(namedGroup(argv('attestation', 'status')), 'attestation');
  assert.equal(namedGroup(argv('att', 'add', '--name', 'workflow')), 'att');
  assert.equal(namedGroup(argv('-t', 'attestation', 'wf', 'list')), 'wf');
  assert.equal(namedGroup(argv('--token=abc', '-o', 'json', 'policy-group', 'list')), 'policy-group');
  assert.equal(namedGroup(argv('--control-plane', 'http://x', 'keys', 'generate')), 'keys');
  // No group: every group is built, for help and suggestions.
  for (const line of [argv(), argv('--version'), argv('--help'), argv('help', 'attestation'), argv('atestation')]) {
    assert.equal(namedGroup(line), undefined, line.join(' '));
  }
  assert.equal(namedGroup(argv('--', 'attestation')), undefined);
});

test('a group built alone is the same command tree as in the whole program', { timeout: 10_000 }, async () => {
  const describe = (command: Command): string =>
    [command.helpInformation(), ...command.commands.map(describe)].join('\n');
  const whole = await buildProgram();
  for (const group of whole.commands) {
    const alone = await buildProgram(group.name());
    assert.deepEqual(
      alone.commands.map((command) => command.name()),
      whole.commands.filter((command) => registeredTogether(command, group)).map((command) => command.name()),
    );
    const same = alone.commands.find((command) => command.name() === group.name());
    assert.ok(same, group.name());
    assert.equal(describe(same), describe(group), group.name());
  }
});

/** `policy` and `policy-group` are registered by one function. */
function registeredTogether(command: Command, group: Command): boolean {
  const policies = ['policy', 'policy-group'];
  return command === group || (policies.includes(command.name()) && policies.includes(group.name()));
}
