/**
 * CHAINLOOP_PHASE_TIMINGS=<file> (docs/performance.md): every run of the bundled CLI appends one JSON line saying where
 * its time went, from process start: Node's bootstrap, module load (until main() starts), the local state file, the
 * HTTP exchanges, the rest. The bench reads these lines; here only their presence and shape are checked (no timing is
 * asserted), and that nothing the user typed, nor the token, reaches the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PhaseTimingsLine } from '../src/phase-timings';
import { embeddedControlPlane, runCli } from './helpers/control-plane-cli';

const SECRET_VALUE = 'phase-secret-value-2718';
const PHASES = ['nodeBootstrap', 'moduleLoad', 'stateRead', 'stateWrite', 'network', 'other'] as const;

describe('CHAINLOOP_PHASE_TIMINGS', { timeout: 180_000 }, () => {
  const cp = embeddedControlPlane('cli-phase-timings-');

  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    return { cwd, env, token: robot.token };
  }

  test('appends one line per command with the phases from process start', { timeout: 60_000 }, async () => {
    const { cwd, env, token } = await job('phases');
    const file = join(cwd, 'phases.jsonl');
    const timed = { ...env, CHAINLOOP_PHASE_TIMINGS: file };
    const commands = [
      ['attestation', 'init'],
      ['attestation', 'add', '--name', 'secret-name', '--kind', 'STRING', '--value', SECRET_VALUE],
      ['attestation', 'status'],
      ['attestation', 'reset'],
    ];
    for (const args of commands) {
      const run = runCli(args, timed, cwd);
      assert.equal(run.status, 0, run.stderr);
    }
    // A failed command gets its line too, with its exit code.
    assert.equal(runCli(['attestation', 'status'], timed, cwd).status, 1);

    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(SECRET_VALUE) && !text.includes('secret-name') && !text.includes(token), text);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as PhaseTimingsLine);
    assert.deepEqual(
      lines.map((line) => [line.command, line.exitCode]),
      [
        ['attestation init', 0],
        ['attestation add', 0],
        ['attestation status', 0],
        ['attestation reset', 0],
        ['attestation status', 1],
      ],
    );
    const [init, add] = lines;
    assert.deepEqual(add.kinds, ['STRING']);
    assert.deepEqual([...add.options].sort(), ['--kind', '--name', '--value']);
    for (const line of lines) {
      assert.equal(line.node, process.version);
      assert.deepEqual(Object.keys(line.phases), [...PHASES]);
      for (const phase of PHASES) assert.ok(line.phases[phase] >= 0, `${line.command}: ${phase} ${line.phases[phase]}`);
      const { bootstrapComplete, mainStart, exit } = line.marks;
      assert.ok(0 < bootstrapComplete && bootstrapComplete <= mainStart && mainStart <= exit, JSON.stringify(line));
      assert.equal(line.phases.nodeBootstrap, bootstrapComplete);
      // The phases add up to the exit mark (rounding aside) unless concurrent phases made `other` hit 0.
      const sum = PHASES.reduce((total, phase) => total + line.phases[phase], 0);
      assert.ok(sum >= exit - 0.1, `${line.command}: phases sum to ${sum}, exit at ${exit}`);
    }
    // init talks to the control plane and writes the state; status reads it.
    assert.ok(init.phases.network > 0, JSON.stringify(init));
    assert.ok(init.phases.stateWrite > 0, JSON.stringify(init));
    assert.ok(lines[2].phases.stateRead > 0, JSON.stringify(lines[2]));
  });
});
