/**
 * Policies stored in the control plane, with the bundled CLI against the control plane it embeds: `chainloop policy`
 * and `chainloop policy-group` create (a changed document is the next revision), list and describe them; crafting
 * resolves a contract's `ref: name[@revision]` from the control plane with the robot token and records the revision
 * and digest it evaluated (`chainloop://name@N`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(fixtures, 'keys', 'generated__p256_N65536.key');
const publicKey = join(fixtures, 'keys', 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';
/** A real SBOM with one component. */
const THIN_SBOM = join(fixtures, 'materials', 'sbom.cyclonedx-1.5-multiple-tools.json');

/** `my-policy` at a minimum of `minimum` components: revision 1 asks for 1, revision 2 for 10. */
const myPolicy = (minimum: number) => `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: my-policy
  description: The SBOM lists at least ${minimum} components
spec:
  policies:
    - kind: SBOM_CYCLONEDX_JSON
      cel:
        rules:
          - name: enough-components
            expression: size(input.components) >= ${minimum}
            messageExpression: '"only " + string(size(input.components)) + " components, fewer than ${minimum}"'
`;

const GROUP = `apiVersion: chainloop.dev/v1
kind: PolicyGroup
metadata:
  name: sbom-quality
  description: What every SBOM must satisfy
spec:
  policies:
    materials:
      - name: sbom
        type: SBOM_CYCLONEDX_JSON
        policies:
          - ref: my-policy@1
`;

const BAD_CEL = myPolicy(1).replace('size(input.components) >= 1', 'size(input.components >= 1');

const contractWith = (policies: string) => `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: stored-refs
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
${policies}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Evaluation = {
  name: string;
  violations?: Array<{ message: string }>;
  policyReference?: { name: string; uri: string; digest: { sha256: string } };
  groupReference?: { name: string; uri: string; digest: { sha256: string } };
};

function lines(result: CliResult, level: 'ERR' | 'WRN' | 'INF'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

describe('chainloop policy and policy-group, and crafting with stored policies', { timeout: 300_000 }, () => {
  const cp = embeddedControlPlane('cli-stored-policies-');
  const admin = (...args: string[]) => runCli(args, cp.server.env, cp.root);
  const adminJson = (...args: string[]) => {
    const result = admin(...args, '-o', 'json');
    assert.equal(result.status, 0, `chainloop ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const file = (name: string, text: string) => {
    const path = join(cp.root, name);
    writeFileSync(path, text);
    return path;
  };

  test('policy create stores revision 1, the same file again keeps it, update with a change makes revision 2; list and describe show them', {
    timeout: 120_000,
  }, () => {
    const v1 = file('my-policy-v1.yaml', myPolicy(1));
    const created = admin('policy', 'create', '-f', v1);
    assert.equal(created.status, 0, created.stderr);
    assert.deepEqual(lines(created, 'INF'), ['INF policy my-policy: revision 1 is the latest']);
    assert.match(created.stdout, /│ Name\s+│ my-policy\s+│/);
    assert.match(created.stdout, /│ Revision\s+│ 1\s+│/);
    assert.match(created.stdout, new RegExp(`│ Digest\\s+│ sha256:${sha256(myPolicy(1))}\\s+│`));
    assert.match(created.stdout, /│ Reference\s+│ chainloop:\/\/my-policy@1\s+│/);
    assert.equal(adminJson('policy', 'create', '--file', v1).revision, 1, 'an unchanged document keeps its revision');

    const updated = adminJson('policy', 'update', '-f', file('my-policy-v2.yaml', myPolicy(10)));
    assert.deepEqual(
      [updated.name, updated.revision, updated.digest],
      ['my-policy', 2, `sha256:${sha256(myPolicy(10))}`],
    );

    const listed = adminJson('policy', 'list');
    assert.deepEqual(
      listed.map((item: Record<string, unknown>) => [item.name, item.revision, item.kinds, item.description]),
      [['my-policy', 2, ['SBOM_CYCLONEDX_JSON'], 'The SBOM lists at least 10 components']],
    );
    const table = admin('policy', 'list');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /NAME\s+│ REVISION\s+│ KINDS\s+│ DESCRIPTION\s+│ CREATED AT/);
    assert.match(table.stdout, /my-policy\s+│ 2\s+│ SBOM_CYCLONEDX_JSON\s+│ The SBOM lists at least 10 components/);

    const latest = admin('policy', 'describe', '--name', 'my-policy');
    assert.equal(latest.status, 0, latest.stderr);
    assert.match(latest.stdout, /│ Revision\s+│ 2\s+│/);
    assert.ok(latest.stdout.endsWith(myPolicy(10)), 'the document follows the table, verbatim');
    const first = adminJson('policy', 'describe', '--name', 'my-policy', '--revision', '1');
    assert.deepEqual([first.revision, first.body], [1, myPolicy(1)]);
  });

  test('refused: bad CEL (path and reason), unknown names and revisions, unreadable files; one ERR line each', {
    timeout: 120_000,
  }, () => {
    const refused = admin('policy', 'create', '-f', file('bad-cel.yaml', BAD_CEL));
    assert.equal(refused.status, 1);
    assert.equal(lines(refused, 'ERR').length, 1, refused.stderr);
    assert.match(
      lines(refused, 'ERR')[0],
      /^ERR invalid policy: spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL: .*: fix the document and send it again \(chainloop policy create\)$/,
    );

    const unknown = admin('policy', 'describe', '--name', 'no-such-policy');
    assert.equal(unknown.status, 1);
    assert.deepEqual(lines(unknown, 'ERR'), [
      'ERR policy "no-such-policy" not found in the control plane: store it with chainloop policy create --file FILE (chainloop policy list shows the stored ones)',
    ]);
    const noRevision = admin('policy', 'describe', '--name', 'my-policy', '--revision', '7');
    assert.equal(noRevision.status, 1);
    assert.match(lines(noRevision, 'ERR')[0], /^ERR policy "my-policy" has no revision 7 \(the latest is \d+\)/);
    const notANumber = admin('policy', 'describe', '--name', 'my-policy', '--revision', 'latest');
    assert.equal(notANumber.status, 2);
    assert.match(notANumber.stderr, /--revision "latest" is not a revision number/);

    const missing = admin('policy', 'create', '-f', join(cp.root, 'nowhere.yaml'));
    assert.equal(missing.status, 2);
    assert.match(
      lines(missing, 'ERR')[0],
      /^ERR policy file .*nowhere\.yaml not found: pass --file with the path to a YAML or JSON Policy document$/,
    );
    const empty = admin('policy', 'create', '-f', file('empty.yaml', '\n'));
    assert.equal(empty.status, 2);
    assert.match(lines(empty, 'ERR')[0], /is empty: write the Policy document/);
  });

  test('policy-group create, list and describe, with revisions of their own', { timeout: 120_000 }, () => {
    const created = adminJson('policy-group', 'create', '-f', file('group.yaml', GROUP));
    assert.deepEqual([created.name, created.revision, created.digest], ['sbom-quality', 1, `sha256:${sha256(GROUP)}`]);
    const changed = GROUP.replace('What every SBOM must satisfy', 'SBOM rules');
    assert.equal(adminJson('policy-group', 'update', '-f', file('group-v2.yaml', changed)).revision, 2);
    const table = admin('policy-group', 'list');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /sbom-quality\s+│ 2\s+│ SBOM rules/);
    assert.doesNotMatch(table.stdout, /KINDS/);
    const described = admin('policy-group', 'describe', '--name', 'sbom-quality', '--revision', '1');
    assert.equal(described.status, 0, described.stderr);
    assert.match(described.stdout, /│ Reference\s+│ chainloop:\/\/sbom-quality@1\s+│/);
    assert.ok(described.stdout.endsWith(GROUP));
    const unknown = admin('policy-group', 'describe', '--name', 'nope');
    assert.equal(unknown.status, 1);
    assert.match(
      lines(unknown, 'ERR')[0],
      /^ERR policy group "nope" not found in the control plane: store it with chainloop policy-group create/,
    );
  });

  /** A workflow with the contract and a robot, and the CLI as its CI job runs it. */
  async function job(name: string, contract: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, contract);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    return { cli, cwd, statePath, env };
  }

  test('crafting resolves ref: my-policy (the latest) and my-policy@1 from the control plane at add, and records chainloop://my-policy@N with its digest', {
    timeout: 120_000,
  }, async () => {
    const latest = await cp.admin.getPolicy('my-policy');
    const first = await cp.admin.getPolicy('my-policy', 1);
    assert.ok(latest.revision > 1);
    const { cli } = await job(
      'stored-refs',
      contractWith(`  policies:
    materials:
      - ref: my-policy
        gate: true
      - ref: my-policy@1
`),
    );
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;

    const added = cli(['attestation', 'add', '--name', 'sbom', '--value', THIN_SBOM]);
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(lines(added, 'WRN'), [
      'WRN policy my-policy [gate]: 1 violation: only 1 components, fewer than 10 (material "sbom")',
    ]);
    assert.ok(lines(added, 'INF').includes('INF policy my-policy: passed (material "sbom")'), added.stderr);

    const status = JSON.parse(cli(['attestation', 'status', '-o', 'json']).stdout);
    const references = (status.policy_evaluations.sbom as Evaluation[]).map((evaluation) => evaluation.policyReference);
    assert.deepEqual(references, [
      { name: 'my-policy', uri: `chainloop://my-policy@${latest.revision}`, digest: { sha256: sha256(latest.body) } },
      { name: 'my-policy', uri: 'chainloop://my-policy@1', digest: { sha256: sha256(first.body) } },
    ]);

    // The stored statement carries the same references (the gate bypassed: revision 2 asks for 10 components).
    const pushed = cli(['attestation', 'push', '--key', signingKey, '--exception-bypass-policy-check'], {
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(pushed.status, 0, pushed.stderr);
    const stored = await cp.admin.getAttestation(runId);
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
    const predicate = statement.predicate as { policyEvaluations: Record<string, Evaluation[]> };
    assert.deepEqual(
      predicate.policyEvaluations.sbom.map((evaluation) => [
        evaluation.policyReference?.uri,
        evaluation.policyReference?.digest.sha256,
      ]),
      [
        [`chainloop://my-policy@${latest.revision}`, sha256(latest.body)],
        ['chainloop://my-policy@1', sha256(first.body)],
      ],
    );
  });

  test('a stored policy group resolves from the control plane at init and add; its policies record the group too', {
    timeout: 120_000,
  }, async () => {
    const group = await cp.admin.getPolicyGroup('sbom-quality');
    const { cli } = await job(
      'stored-group',
      `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: stored-group
spec:
  materials:
    - type: STRING
      name: build-ref
  policyGroups:
    - ref: chainloop://sbom-quality
`,
    );
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const materials = JSON.parse(init.stdout).materials.map((material: { name: string }) => material.name);
    assert.ok(materials.includes('sbom'), `the stored group's material joins the contract's: ${materials}`);
    const added = cli(['attestation', 'add', '--name', 'sbom', '--value', THIN_SBOM]);
    assert.equal(added.status, 0, added.stderr);
    const status = JSON.parse(cli(['attestation', 'status', '-o', 'json']).stdout);
    const [evaluation] = status.policy_evaluations.sbom as Evaluation[];
    assert.equal(evaluation.policyReference?.uri, 'chainloop://my-policy@1');
    assert.deepEqual(evaluation.groupReference, {
      name: 'sbom-quality',
      uri: `chainloop://sbom-quality@${group.revision}`,
      digest: { sha256: sha256(group.body) },
    });
  });

  test('an unknown stored name, or a @sha256: pin the stored bytes do not match, fails add with one ERR line; offline, stored refs are refused as before', {
    timeout: 120_000,
  }, async () => {
    const unknown = await job(
      'unknown-ref',
      contractWith('  policies:\n    materials:\n      - ref: no-such-policy\n'),
    );
    assert.equal(unknown.cli(['attestation', 'init']).status, 0);
    const refused = unknown.cli(['attestation', 'add', '--name', 'sbom', '--value', THIN_SBOM]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.deepEqual(lines(refused, 'ERR'), [
      'ERR policy no-such-policy (spec.policies.materials[0]): policy "no-such-policy" not found in the control plane: store it with chainloop policy create --file FILE (chainloop policy list shows the stored ones)',
    ]);
    const status = JSON.parse(unknown.cli(['attestation', 'status', '-o', 'json']).stdout);
    assert.equal(
      status.materials.find((material: { name: string }) => material.name === 'sbom')?.set,
      false,
      'nothing was added',
    );

    const first = await cp.admin.getPolicy('my-policy', 1);
    const pinned = await job(
      'stale-pin',
      contractWith(`  policies:\n    materials:\n      - ref: my-policy@sha256:${sha256(first.body)}\n`),
    );
    assert.equal(pinned.cli(['attestation', 'init']).status, 0);
    const stale = pinned.cli(['attestation', 'add', '--name', 'sbom', '--value', THIN_SBOM]);
    assert.equal(stale.status, 1, stale.stderr);
    const latest = await cp.admin.getPolicy('my-policy');
    assert.deepEqual(lines(stale, 'ERR'), [
      `ERR policy my-policy@sha256:${sha256(first.body)} (spec.policies.materials[0]): its content has digest sha256:${sha256(latest.body)}, not the pinned sha256:${sha256(first.body)}: update the pin`,
    ]);

    // A dry run whose add has no token (no control plane to ask): the stored ref is refused with the offline message.
    const offline = await job('offline-ref', contractWith('  policies:\n    materials:\n      - ref: my-policy\n'));
    assert.equal(offline.cli(['attestation', 'init', '--dry-run']).status, 0);
    const noToken = offline.cli(['attestation', 'add', '--name', 'sbom', '--value', THIN_SBOM], {
      CHAINLOOP_ROBOT_ACCOUNT: '',
    });
    assert.equal(noToken.status, 1, noToken.stderr);
    assert.deepEqual(lines(noToken, 'ERR'), [
      'ERR policy my-policy (spec.policies.materials[0]): policies stored in the control plane are not available here: use builtin:// or file://',
    ]);
  });
});
