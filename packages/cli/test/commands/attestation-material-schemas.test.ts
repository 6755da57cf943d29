/**
 * Material kinds that Chainloop validates against a JSON schema it embeds: the bundled CLI carries the vendored
 * schemas (core's schemas/*.json, inlined by esbuild), so `attestation add` of a runner context is checked against
 * the runner-context-response 0.1 schema with no file outside the bundle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ADMIN_TOKEN, type CliControlPlane, runCli, startWithCli } from '../helpers/control-plane-cli';

const CHAINLOOP = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'materials', 'chainloop');

const CONTRACT = `schemaVersion: v1
materials:
  - name: runner-context
    type: CHAINLOOP_RUNNER_CONTEXT
`;

describe('attestation add validates schema-backed kinds in the bundled CLI', { timeout: 300_000 }, () => {
  let server: CliControlPlane;
  let admin: ControlPlaneClient;
  const root = mkdtempSync(join(tmpdir(), 'cli-material-schemas-'));

  before(async () => {
    server = await startWithCli();
    admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('CHAINLOOP_RUNNER_CONTEXT: Chainloop runner contexts are added, a field outside the schema is refused', {
    timeout: 180_000,
  }, async () => {
    const workflow = await admin.createWorkflow({ name: 'build', team: 'platform', project: 'rc' });
    await admin.updateContract(workflow.id, CONTRACT);
    const robot = await admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);

    const statePath = join(root, 'state.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: root };
    const cli = (args: string[]) => runCli([...args, '--local-state-path', statePath], env, root);
    const init = cli(['attestation', 'init']);
    assert.equal(init.status, 0, init.stderr);

    // One level deep in the schema: a tag rule's bypass actor id must be an integer.
    const doc = JSON.parse(readFileSync(join(CHAINLOOP, 'runner-context-tags-v0.1.json'), 'utf8'));
    doc.data.repos[0].tags[0].active_rules[0].bypass_configuration[0].actor_id = 'five';
    const wrongType = join(root, 'wrong-type.json');
    writeFileSync(wrongType, JSON.stringify(doc));
    const extraField = join(root, 'extra-field.json');
    writeFileSync(extraField, JSON.stringify({ ...doc, ci: 'github' }));

    for (const [file, reason] of [
      [wrongType, /bypass_configuration\/0\/actor_id must be integer/],
      [join(CHAINLOOP, 'runner_context_missing-meta-v0.1.json'), /must have required property 'meta'/],
      [extraField, /unexpected field "ci"/],
    ] as const) {
      const refused = cli(['attestation', 'add', '--name', 'runner-context', '--value', file]);
      assert.notEqual(refused.status, 0, `${file} was accepted`);
      assert.match(
        refused.stderr,
        /is not a valid CHAINLOOP_RUNNER_CONTEXT: it does not match the runner context schema/,
      );
      assert.match(refused.stderr, reason);
    }

    const added = cli([
      'attestation',
      'add',
      '--name',
      'runner-context',
      '--value',
      join(CHAINLOOP, 'runner-context-tags-v0.1.json'),
    ]);
    assert.equal(added.status, 0, added.stderr);
    const extra = cli([
      'attestation',
      'add',
      '--name',
      'gitlab-context',
      '--kind',
      'CHAINLOOP_RUNNER_CONTEXT',
      '--value',
      join(CHAINLOOP, 'runner_context_gitlab_no_protection-v0.1.json'),
    ]);
    assert.equal(extra.status, 0, extra.stderr);
    const status = cli(['attestation', 'status', '-o', 'json']);
    assert.equal(status.status, 0, status.stderr);
    const materials = JSON.parse(status.stdout).materials as { name: string; type?: string; materialType?: string }[];
    const kinds = Object.fromEntries(materials.map((m) => [m.name, m.type ?? m.materialType]));
    assert.equal(kinds['runner-context'], 'CHAINLOOP_RUNNER_CONTEXT');
    assert.equal(kinds['gitlab-context'], 'CHAINLOOP_RUNNER_CONTEXT');
  });
});
