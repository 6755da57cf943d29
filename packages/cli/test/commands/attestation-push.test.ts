/**
 * `attestation init → add → push` with the bundled CLI against the control plane it embeds: the exit code and the
 * one ERR line are what a CI job acts on, so a push that fails must exit non-zero, and a material the contract marks
 * `optional: true` must not be demanded at push.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const vectors = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signingKey = join(vectors, 'generated__p256_N65536.key');
const publicKey = join(vectors, 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';
const otherKey = join(vectors, 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.key');
const otherKeyPassword = 'password';

const CONTRACT = `schemaVersion: v1
materials:
  - name: build-ref
    type: STRING
  - name: release-notes
    type: STRING
    optional: true
`;

function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
}

describe('attestation push against the embedded control plane', { timeout: 300_000 }, () => {
  const cp = embeddedControlPlane('cli-push-');
  const root = cp.root;

  /** A fresh workflow with the contract above and a CI job (its own folder and robot token) crafting for it. */
  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, CONTRACT);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token, 'the robot account has a token');
    const cwd = mkdtempSync(join(root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;
    assert.match(runId, /\S/, 'init names the run it created');
    const add = (material: string, value: string) => {
      const added = cli(['attestation', 'add', '--name', material, '--value', value]);
      assert.equal(added.status, 0, added.stderr);
    };
    const push = (key: string, password: string) =>
      cli(['attestation', 'push', '--key', key, '-o', 'json'], { CHAINLOOP_SIGNING_PASSWORD: password });
    return { workflow, runId, statePath, cli, add, push };
  }

  test('a required material missing: exit 1, one ERR line naming it (not the optional one), nothing stored', async () => {
    const { runId, statePath, add, push } = await job('missing-required');
    add('release-notes', 'first release');
    const before = readFileSync(statePath, 'utf8');

    const pushed = push(signingKey, signingPassword);
    assert.equal(pushed.status, 1, `push must fail:\n${pushed.stderr}`);
    const errors = errorLines(pushed);
    assert.equal(errors.length, 1, pushed.stderr);
    assert.match(errors[0], /^ERR some materials have not been crafted yet: build-ref; add them with/);
    assert.doesNotMatch(errors[0], /release-notes/);
    assert.equal(pushed.stdout, '', 'no attestation printed');
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the state is kept for a later push');
    assert.equal((await cp.admin.getRun(runId)).status, 'initialized');
  });

  test('only an optional material missing: exit 0, the signed attestation is stored without it', async () => {
    const { runId, statePath, add, push } = await job('optional-missing');
    add('build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a');

    const pushed = push(signingKey, signingPassword);
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.deepEqual(errorLines(pushed), []);
    assert.match(pushed.stderr, /^INF Attestation pushed!$/m);
    const { digest } = JSON.parse(pushed.stdout);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(existsSync(statePath), false, 'a stored attestation leaves no state behind');

    const run = await cp.admin.getRun(runId);
    assert.equal(run.status, 'succeeded');
    const stored = await cp.admin.getAttestation(runId);
    assert.equal(stored.digest, digest, 'the digest printed is the one stored');
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
    const materials = (statement.predicate as { materials: Array<{ annotations: Record<string, string> }> }).materials;
    assert.deepEqual(
      materials.map((material) => material.annotations['chainloop.material.name']),
      ['build-ref'],
    );
  });

  test('a push the control plane refuses (signed by a key the workflow did not register) exits 1', async () => {
    const { workflow, runId, statePath, add, push } = await job('refused');
    const registered = runCli(
      ['workflow', 'key', 'add', '--workflow', workflow.name, '--file', publicKey, '--name', 'release'],
      cp.server.env,
    );
    assert.equal(registered.status, 0, registered.stderr);
    add('build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a');
    const before = readFileSync(statePath, 'utf8');

    const refused = push(otherKey, otherKeyPassword);
    assert.equal(refused.status, 1, `a refused push must fail:\n${refused.stderr}`);
    const errors = errorLines(refused);
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(errors[0], /^ERR attestation refused: .*registered for workflow "refused"/);
    assert.doesNotMatch(refused.stderr, /Attestation pushed/);
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the state is kept for a push with the right key');
    assert.equal((await cp.admin.getRun(runId)).status, 'initialized');

    // The same attestation signed by the registered key is stored: the refusal was about the key alone.
    const accepted = push(signingKey, signingPassword);
    assert.equal(accepted.status, 0, accepted.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
  });
});
