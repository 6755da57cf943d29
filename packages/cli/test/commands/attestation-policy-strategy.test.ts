/**
 * The organisation's policy strategy and `add --policy-input`, with the bundled CLI against the control plane it
 * embeds: `chainloop policy settings --block-on-violation true` makes any violation refuse the push (ENFORCED, exit 4,
 * state kept) for attestations initialized afterwards, `status` says so, and turned off again an advisory violation
 * is only recorded; `--policy-input` replaces a policy input's contract value for one material.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(fixtures, 'keys', 'generated__p256_N65536.key');
const publicKey = join(fixtures, 'keys', 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';
/** Real documents: an SBOM with 1 component, one with 250, a JUnit report with one failed case. */
const THIN_SBOM = join(fixtures, 'materials', 'sbom.cyclonedx-1.5-multiple-tools.json');
const FULL_SBOM = join(fixtures, 'materials', 'sbom.cyclonedx-1.5.json');
const FAILING_JUNIT = join(fixtures, 'materials', 'junit.xml');

/** A gated SBOM policy (10 components) and an advisory JUnit one. */
const CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: strategy
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
    - type: JUNIT_XML
      name: tests
      optional: true
  policies:
    materials:
      - ref: builtin://sbom-min-components
        with:
          min_components: "10"
        gate: true
      - ref: builtin://junit-no-failures
`;

type Predicate = Record<string, unknown> & {
  policyEvaluations: Record<string, Array<{ name: string; with?: Record<string, string>; violations?: unknown[] }>>;
};

function lines(result: CliResult, level: 'ERR' | 'WRN' | 'INF'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

describe('the organisation policy strategy and --policy-input', { timeout: 300_000 }, () => {
  const cp = embeddedControlPlane('cli-policy-strategy-');
  const admin = (args: string[]) => runCli(args, cp.server.env);

  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, CONTRACT);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;
    const add = (material: string, value: string, ...flags: string[]) =>
      cli(['attestation', 'add', '--name', material, '--value', value, ...flags]);
    const push = (...flags: string[]) =>
      cli(['attestation', 'push', '--key', signingKey, '-o', 'json', ...flags], {
        CHAINLOOP_SIGNING_PASSWORD: signingPassword,
      });
    const storedPredicate = async () => {
      const stored = await cp.admin.getAttestation(runId);
      const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
      return statement.predicate as Predicate;
    };
    return { runId, statePath, robotToken: robot.token, cli, add, push, storedPredicate };
  }

  test('policy settings shows and changes the strategy (admin token only)', async () => {
    const shown = admin(['policy', 'settings']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /Policy violation strategy\s*│\s*ADVISORY/);
    assert.deepEqual(JSON.parse(admin(['policy', 'settings', '-o', 'json']).stdout), { blockOnPolicyViolation: false });

    const bad = admin(['policy', 'settings', '--block-on-violation', 'maybe']);
    assert.equal(bad.status, 2, bad.stderr);
    assert.deepEqual(lines(bad, 'ERR'), [
      'ERR --block-on-violation "maybe" is not true or false: pass true (ENFORCED) or false (ADVISORY)',
    ]);

    const { robotToken } = await job('settings-robot');
    const byRobot = runCli(['policy', 'settings', '--block-on-violation', 'true'], {
      ...cp.server.env,
      CHAINLOOP_TOKEN: robotToken,
    });
    assert.notEqual(byRobot.status, 0);
    assert.match(lines(byRobot, 'ERR')[0] ?? byRobot.stderr, /admin token/);
    assert.equal((await cp.admin.getPolicySettings()).blockOnPolicyViolation, false);

    const set = admin(['policy', 'settings', '--block-on-violation', 'true']);
    assert.equal(set.status, 0, set.stderr);
    assert.match(lines(set, 'INF')[0], /^INF policy violation strategy set to ENFORCED/);
    assert.match(set.stdout, /Policy violation strategy\s*│\s*ENFORCED/);
    assert.equal((await cp.admin.getPolicySettings()).blockOnPolicyViolation, true);
  });

  test('ENFORCED: an advisory violation refuses the push (exit 4, state kept); status says ENFORCED', async () => {
    await cp.admin.setPolicySettings({ blockOnPolicyViolation: true });
    const { runId, statePath, cli, add, push, storedPredicate } = await job('enforced');
    const status = cli(['attestation', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /Policy violation strategy\s*│\s*ENFORCED/, 'shown before any policy ran');
    assert.equal(add('sbom', FULL_SBOM).status, 0);
    const tests = add('tests', FAILING_JUNIT);
    assert.equal(tests.status, 0, tests.stderr);
    const json = JSON.parse(cli(['attestation', 'status', '-o', 'json']).stdout);
    assert.equal(json.must_block_on_policy_violations, true);
    assert.equal(json.has_policy_violations, true);

    const before = readFileSync(statePath, 'utf8');
    const refused = push();
    assert.equal(refused.status, 4, `an advisory violation must fail the push under ENFORCED:\n${refused.stderr}`);
    const errors = lines(refused, 'ERR');
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(
      errors[0],
      /^ERR the attestation is blocked by policy violations: the organisation enforces policies .*: policy "junit-no-failures" on material "tests" \(.*\); .*--exception-bypass-policy-check/,
    );
    assert.equal(refused.stdout, '');
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the state is kept');
    assert.equal((await cp.admin.getRun(runId)).status, 'initialized', 'nothing stored');

    const bypassed = push('--exception-bypass-policy-check');
    assert.equal(bypassed.status, 0, bypassed.stderr);
    assert.ok(
      lines(bypassed, 'WRN').some((line) => line.startsWith('WRN policy violations bypassed')),
      bypassed.stderr,
    );
    assert.equal(existsSync(statePath), false);
    const predicate = await storedPredicate();
    assert.equal(predicate.policyCheckBlockingStrategy, 'ENFORCED');
    assert.equal(predicate.policyBlockBypassEnabled, true);
    assert.equal(predicate.policyAttBlocked, false);
  });

  test('ADVISORY again: the same violation is recorded and the push succeeds', async () => {
    const off = admin(['policy', 'settings', '--block-on-violation', 'false']);
    assert.equal(off.status, 0, off.stderr);
    const { runId, cli, add, push, storedPredicate } = await job('advisory');
    assert.equal(add('sbom', FULL_SBOM).status, 0);
    assert.equal(add('tests', FAILING_JUNIT).status, 0);
    const status = cli(['attestation', 'status']);
    assert.match(status.stdout, /Policy violation strategy\s*│\s*ADVISORY/);
    assert.equal(
      JSON.parse(cli(['attestation', 'status', '-o', 'json']).stdout).must_block_on_policy_violations,
      false,
    );
    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const predicate = await storedPredicate();
    assert.equal(predicate.policyCheckBlockingStrategy, 'ADVISORY');
    assert.equal(predicate.policyHasViolations, true);
    assert.equal(predicate.policyAttBlocked, false);
  });

  test('--policy-input replaces the contract value for the material; an input no policy declares is refused', async () => {
    const { statePath, add, push, storedPredicate } = await job('policy-input');
    const before = readFileSync(statePath, 'utf8');
    const typo = add('sbom', THIN_SBOM, '--policy-input', 'min_componentz=1');
    assert.equal(typo.status, 2, typo.stderr);
    assert.deepEqual(lines(typo, 'ERR'), [
      'ERR --policy-input "min_componentz=1": no policy applied to material "sbom" declares input "min_componentz" (sbom-min-components declares min_components): give one of the declared inputs',
    ]);
    assert.equal(readFileSync(statePath, 'utf8'), before, 'nothing added');

    // The contract's gate wants 10 components: the thin SBOM fails it, unless this job's value is 1.
    const lowered = add('sbom', THIN_SBOM, '--policy-input', 'sbom-min-components:min_components=1');
    assert.equal(lowered.status, 0, lowered.stderr);
    assert.ok(
      lines(lowered, 'INF').includes('INF policy sbom-min-components [gate]: passed (material "sbom")'),
      lowered.stderr,
    );
    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    const [evaluation] = (await storedPredicate()).policyEvaluations.sbom;
    assert.deepEqual(evaluation.with, { min_components: '1' }, 'the value used is recorded');
    assert.equal(evaluation.violations, undefined);
  });
});
