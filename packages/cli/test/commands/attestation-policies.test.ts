/**
 * Policies in the seed-like flow, with the bundled CLI against the control plane it embeds: `add` prints each
 * policy's result, a violated gate refuses the push (exit 4, one ERR line, state kept) until the material is fixed
 * and added again, an advisory policy's violations are recorded in the stored statement without blocking, and
 * `--exception-bypass-policy-check` pushes anyway and says so in the statement.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(fixtures, 'keys', 'generated__p256_N65536.key');
const publicKey = join(fixtures, 'keys', 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';
/** Real SBOMs: one component (fails `min_components: 10`) and 250; a real JUnit report with one failed case. */
const THIN_SBOM = join(fixtures, 'materials', 'sbom.cyclonedx-1.5-multiple-tools.json');
const FULL_SBOM = join(fixtures, 'materials', 'sbom.cyclonedx-1.5.json');
const FAILING_JUNIT = join(fixtures, 'materials', 'junit.xml');

const CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: gated-sbom
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

/** An attestation policy of phase INIT, gated: the attestation must be made on a CI runner (these tests run on none). */
const INIT_GATE_CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: ci-only
spec:
  materials:
    - type: STRING
      name: build-ref
  policies:
    attestation:
      - gate: true
        embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: made-on-ci
          spec:
            policies:
              - kind: ATTESTATION
                attestationPhases: [INIT]
                cel:
                  rules:
                    - name: on-ci
                      expression: predicate.runnerType != "RUNNER_TYPE_UNSPECIFIED"
                      message: the attestation was not made on a CI runner
`;

/** A contract that declares one material; its policy group (a file in the job's folder) declares the SBOM. */
const GROUP_CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: with-group
spec:
  materials:
    - type: STRING
      name: build-ref
  policyGroups:
    - ref: file://sbom-group.yaml
`;
const GROUP = `apiVersion: chainloop.dev/v1
kind: PolicyGroup
metadata:
  name: sbom-quality
spec:
  policies:
    materials:
      - name: sbom
        type: SBOM_CYCLONEDX_JSON
        policies:
          - ref: builtin://sbom-min-components
            gate: true
            with:
              min_components: "10"
`;

type Predicate = Record<string, unknown> & {
  policyEvaluations: Record<string, Array<{ name: string; gate: boolean; violations?: unknown[] }>>;
};

function lines(result: CliResult, level: 'ERR' | 'WRN' | 'INF'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

describe('policies in attestation add, status and push', { timeout: 300_000 }, () => {
  const cp = embeddedControlPlane('cli-policies-');

  async function job(name: string, contract = CONTRACT, files: Record<string, string> = {}) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, contract);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    for (const [file, text] of Object.entries(files)) writeFileSync(join(cwd, file), text);
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const initJson = JSON.parse(init.stdout);
    const runId: string = initJson.workflowMeta.workflowRunID;
    const add = (material: string, value: string) => {
      const added = cli(['attestation', 'add', '--name', material, '--value', value]);
      assert.equal(added.status, 0, added.stderr);
      return added;
    };
    const push = (...flags: string[]) =>
      cli(['attestation', 'push', '--key', signingKey, '-o', 'json', ...flags], {
        CHAINLOOP_SIGNING_PASSWORD: signingPassword,
      });
    const storedPredicate = async () => {
      const stored = await cp.admin.getAttestation(runId);
      const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
      return statement.predicate as Predicate;
    };
    return { runId, statePath, init, initJson, cli, add, push, storedPredicate };
  }

  test('a violated gate refuses the push (exit 4, state kept); the material fixed and added again, it pushes', async () => {
    const { runId, statePath, cli, add, push, storedPredicate } = await job('gate-fails-then-fixed');
    const thin = add('sbom', THIN_SBOM);
    assert.deepEqual(lines(thin, 'WRN'), [
      'WRN policy sbom-min-components [gate]: 1 violation: the SBOM lists 1 components, fewer than 10 (material "sbom")',
    ]);

    const status = cli(['attestation', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /Policy evaluations/);
    assert.match(status.stdout, /sbom-min-components \[gate\]: 1 violation: the SBOM lists 1 components/);
    const statusJson = JSON.parse(cli(['attestation', 'status', '-o', 'json']).stdout);
    assert.equal(statusJson.policy_evaluations.sbom[0].name, 'sbom-min-components');
    assert.equal(statusJson.has_policy_violations, true);

    const before = readFileSync(statePath, 'utf8');
    const refused = push();
    assert.equal(refused.status, 4, `a violated gate must fail the push:\n${refused.stderr}`);
    const errors = lines(refused, 'ERR');
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(
      errors[0],
      /^ERR the attestation is blocked by policy gates with violations: policy "sbom-min-components" on material "sbom" \(the SBOM lists 1 components, fewer than 10\); fix the material and add it again .* or push with --exception-bypass-policy-check/,
    );
    assert.equal(refused.stdout, '', 'no attestation printed');
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the state is kept so the job can fix it and push again');
    assert.equal((await cp.admin.getRun(runId)).status, 'initialized', 'nothing stored');

    const fixed = add('sbom', FULL_SBOM);
    assert.ok(lines(fixed, 'INF').includes('INF policy sbom-min-components [gate]: passed (material "sbom")'));
    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.equal(existsSync(statePath), false);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const predicate = await storedPredicate();
    assert.equal(predicate.policyEvaluations.sbom.length, 1, 'the earlier evaluation was replaced');
    assert.equal(predicate.policyEvaluations.sbom[0].violations, undefined);
    assert.equal(predicate.policyHasViolations, false);
    assert.equal(predicate.policyAttBlocked, false);
  });

  test('an advisory policy with violations: push succeeds and the stored statement records them', async () => {
    const { runId, add, push, storedPredicate } = await job('advisory-violations');
    add('sbom', FULL_SBOM);
    const tests = add('tests', FAILING_JUNIT);
    assert.deepEqual(lines(tests, 'WRN'), [
      'WRN policy junit-no-failures: 1 violation: Tests.Authentication > testCase9: test Tests.Authentication > testCase9 failed: Assertion error message (material "tests")',
    ]);
    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const predicate = await storedPredicate();
    const [junit] = predicate.policyEvaluations.tests;
    assert.equal(junit.name, 'junit-no-failures');
    assert.equal(junit.gate, false);
    assert.equal(junit.violations?.length, 1);
    // Chainloop's names and JSON types (ProvenancePredicateV02, reference §5.3).
    assert.equal(predicate.policyHasViolations, true);
    assert.equal(predicate.policyHasGatedViolations, false);
    assert.equal(predicate.policyCheckBlockingStrategy, 'ADVISORY');
    assert.equal(predicate.policyBlockBypassEnabled, false);
    assert.equal(predicate.policyAttBlocked, false);
    assert.equal(predicate.policyEvaluationsCount, 2);
    assert.equal(predicate.policyViolationsCount, 1);
    assert.equal(predicate.policyPassedCount, 1);
  });

  test('--exception-bypass-policy-check pushes a violated gate and records that it did', async () => {
    const { runId, add, push, storedPredicate } = await job('gate-bypassed');
    add('sbom', THIN_SBOM);
    const pushed = push('--exception-bypass-policy-check');
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.ok(
      lines(pushed, 'WRN').some((line) =>
        line.startsWith('WRN policy gates bypassed with --exception-bypass-policy-check: policy "sbom-min-components"'),
      ),
      pushed.stderr,
    );
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const predicate = await storedPredicate();
    assert.equal(predicate.policyBlockBypassEnabled, true);
    assert.equal(predicate.policyHasGatedViolations, true);
    assert.equal(predicate.policyAttBlocked, false);
  });

  test('an INIT-phase attestation policy runs at init, shows in status, and its gate is checked at push', async () => {
    const { runId, statePath, init, initJson, add, push, storedPredicate } = await job(
      'init-phase-gate',
      INIT_GATE_CONTRACT,
    );
    assert.deepEqual(lines(init, 'WRN'), [
      'WRN policy made-on-ci [gate]: 1 violation: the attestation was not made on a CI runner (the attestation, at init)',
    ]);
    assert.equal(initJson.policy_evaluations['CHAINLOOP.ATTESTATION'][0].name, 'made-on-ci');
    add('build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a');
    const refused = push();
    assert.equal(refused.status, 4, refused.stderr);
    assert.match(lines(refused, 'ERR')[0], /policy "made-on-ci" on the attestation \(the attestation was not made/);
    assert.ok(existsSync(statePath));

    const bypassed = push('--exception-bypass-policy-check');
    assert.equal(bypassed.status, 0, bypassed.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const predicate = await storedPredicate();
    assert.equal(predicate.policyEvaluations['CHAINLOOP.ATTESTATION'][0].name, 'made-on-ci');
    assert.equal(predicate.policyBlockBypassEnabled, true);
  });

  test("a policy group's named material joins the contract's at init, and its policies apply to it", async () => {
    const { runId, initJson, add, push, storedPredicate } = await job('group-materials', GROUP_CONTRACT, {
      'sbom-group.yaml': GROUP,
    });
    const sbom = initJson.materials.find((material: { name: string }) => material.name === 'sbom');
    assert.deepEqual(
      { type: sbom?.type, required: sbom?.required },
      { type: 'SBOM_CYCLONEDX_JSON', required: true },
      'init lists the group material as one the contract requires',
    );
    add('build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a');
    const missing = push();
    assert.equal(missing.status, 1, missing.stderr);
    assert.match(lines(missing, 'ERR')[0], /some materials have not been crafted yet: sbom/);

    const thin = add('sbom', THIN_SBOM);
    assert.match(lines(thin, 'WRN')[0], /^WRN policy sbom-min-components \[gate\]: 1 violation/);
    assert.equal(push().status, 4);
    add('sbom', FULL_SBOM);
    const pushed = push();
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
    const [evaluation] = (await storedPredicate()).policyEvaluations.sbom as unknown as Array<{
      groupReference: { name: string; uri: string };
    }>;
    assert.equal(evaluation.groupReference.name, 'sbom-quality');
    assert.match(evaluation.groupReference.uri, /^file:\/\/.*sbom-group\.yaml$/);
  });
});
