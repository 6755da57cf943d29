/**
 * An admin reads what a CI job's policies found, with the bundled CLI against the control plane it embeds: the job
 * crafts and pushes with an advisory policy violated, then `workflow run describe` shows the evaluations (table and
 * JSON) and the flags; a run pushed without policies shows none. `workflow contract update` with a contract whose
 * embedded CEL does not compile fails with the control plane's one-line reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(fixtures, 'keys', 'generated__p256_N65536.key');
const signingPassword = 'correct horse battery staple';
/** A real JUnit report with one failed case. */
const FAILING_JUNIT = join(fixtures, 'materials', 'junit.xml');

const CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: advisory
spec:
  materials:
    - type: JUNIT_XML
      name: tests
  policies:
    materials:
      - ref: builtin://junit-no-failures
    attestation:
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: has-materials
          spec:
            policies:
              - kind: ATTESTATION
                cel:
                  rules:
                    - expression: size(predicate.materials) > 0
                      message: the attestation has no materials
`;

const PLAIN_CONTRACT = `schemaVersion: v1
materials:
  - name: build-ref
    type: STRING
`;

describe('policy evaluations in workflow run describe; bad policies refused by contract update', {
  timeout: 300_000,
}, () => {
  const cp = embeddedControlPlane('cli-run-policies-');
  const admin = (...args: string[]) => runCli(args, cp.server.env);

  /** A CI job of a new workflow: init, add each material, push with a key; answers the run id. */
  async function pushedRun(name: string, contract: string, materials: Record<string, string>): Promise<string> {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, contract);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (...args: string[]) =>
      runCli(
        [...args, '--local-state-path', join(cwd, 'state.json')],
        { ...env, CHAINLOOP_SIGNING_PASSWORD: signingPassword },
        cwd,
      );
    const init = cli('attestation', 'init', '-o', 'json');
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;
    for (const [material, value] of Object.entries(materials)) {
      const added = cli('attestation', 'add', '--name', material, '--value', value);
      assert.equal(added.status, 0, added.stderr);
    }
    const pushed = cli('attestation', 'push', '--key', signingKey);
    assert.equal(pushed.status, 0, pushed.stderr);
    return runId;
  }

  test('run describe: a Policy evaluations table, each violation and the flags; -o json carries them', async () => {
    const runId = await pushedRun('advisory', CONTRACT, { tests: FAILING_JUNIT });

    const table = admin('workflow', 'run', 'describe', '--id', runId);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /│ Policy Violations\s+│ Yes\s+│/);
    assert.match(table.stdout, /│ Policy Strategy\s+│ ADVISORY\s+│/);
    assert.match(table.stdout, /│ Policy Check Bypassed\s+│ No\s+│/);
    assert.match(table.stdout, /│ Blocked By Policies\s+│ No\s+│/);
    assert.match(table.stdout, /Policy evaluations/);
    assert.match(table.stdout, /│ MATERIAL\s+│ POLICY\s+│ RESULT\s+│ GATE\s+│/);
    assert.match(table.stdout, /│ tests\s+│ junit-no-failures\s+│ 1 violation\s+│ No\s+│/);
    assert.match(table.stdout, /│ \(attestation\)\s+│ has-materials\s+│ passed\s+│ No\s+│/);
    assert.match(table.stdout, /Policy violations/);
    assert.match(
      table.stdout,
      /│ tests\s+│ junit-no-failures\s+│ Tests\.Authentication > testCase9: test Tests\.Authentication > testCase9 failed: Assertion error message\s+│/,
    );

    const json = admin('workflow', 'run', 'describe', '--id', runId, '-o', 'json');
    assert.equal(json.status, 0, json.stderr);
    const described = JSON.parse(json.stdout);
    assert.equal(described.policies.hasViolations, true);
    assert.equal(described.policies.blockingStrategy, 'ADVISORY');
    assert.equal(described.policies.bypassed, false);
    assert.equal(described.policies.attBlocked, false);
    assert.deepEqual(
      described.policies.evaluations.map((evaluation: { materialName: string; name: string }) => [
        evaluation.materialName,
        evaluation.name,
      ]),
      [
        ['tests', 'junit-no-failures'],
        ['', 'has-materials'],
      ],
    );
    const [junit] = described.policies.evaluations;
    assert.equal(junit.reference.uri, 'builtin://junit-no-failures');
    assert.match(junit.reference.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(junit.gate, false);
    assert.deepEqual(junit.violations, [
      {
        subject: 'Tests.Authentication > testCase9',
        message: 'test Tests.Authentication > testCase9 failed: Assertion error message',
      },
    ]);
  });

  test('run describe of a run pushed without policies: the flags say none, no evaluations table', async () => {
    const runId = await pushedRun('plain', PLAIN_CONTRACT, { 'build-ref': 'v1.0.0' });
    const table = admin('workflow', 'run', 'describe', '--id', runId);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /│ Policy Violations\s+│ No\s+│/);
    assert.doesNotMatch(table.stdout, /Policy evaluations/);
    const described = JSON.parse(admin('workflow', 'run', 'describe', '--id', runId, '-o', 'json').stdout);
    assert.deepEqual(described.policies.evaluations, []);
  });

  test('contract update with an embedded policy whose CEL does not compile: one ERR line naming the rule, exit 1', async () => {
    await cp.admin.createWorkflow({ name: 'bad-cel', team: 'cyberdyne core', project: 'skynet' });
    const file = join(cp.root, 'bad-cel.yaml');
    writeFileSync(file, CONTRACT.replace('size(predicate.materials) > 0', 'size(predicate.materials) >'));
    const refused = admin('workflow', 'contract', 'update', '--workflow', 'bad-cel', '--file', file);
    assert.notEqual(refused.status, 0);
    const lines = refused.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(
      lines[0],
      /^ERR invalid contract: spec\.policies\.attestation\[0\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL: /,
    );
    assert.equal(refused.stdout, '');
    assert.equal((await cp.admin.getContract('bad-cel')).revision, 1, 'no revision added');
  });
});
