/**
 * The statement records what Chainloop records: `attestation init → add → push` with the bundled CLI, run inside a
 * real git checkout (signed commit, remote with credentials), with --project-version, and an image added from an OCI
 * layout. Checked in the statement the control plane stored, in `attestation status` and in `workflow run describe`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ADMIN_TOKEN, type CliControlPlane, runCli, startWithCli } from '../helpers/control-plane-cli';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(FIXTURES, 'keys', 'generated__p256_N65536.key');
const publicKey = join(FIXTURES, 'keys', 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';
const layout = join(FIXTURES, 'materials', 'oci-layouts', 'containerd');

const CONTRACT = `schemaVersion: v1
materials:
  - name: build-ref
    type: STRING
  - name: image
    type: CONTAINER_IMAGE
    output: true
`;
const MESSAGE = 'Release 2.0.0\n\nFirmware for the T-800.\n';

describe('Chainloop fields in the pushed statement', { timeout: 300_000 }, () => {
  let server: CliControlPlane;
  let admin: ControlPlaneClient;
  const root = mkdtempSync(join(tmpdir(), 'cli-chainloop-fields-'));
  const gitEnv = { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (cwd: string, args: string[], env: Record<string, string> = {}) =>
    execFileSync('git', ['-c', 'user.name=Sarah Connor', '-c', 'user.email=sarah@cyberdyne.example', ...args], {
      cwd,
      env: { ...gitEnv, ...env },
      encoding: 'utf8',
    });

  before(async () => {
    server = await startWithCli();
    admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('git head, project version, contract name, image tag and is_latest_tag', { timeout: 180_000 }, async () => {
    const workflow = await admin.createWorkflow({ name: 'release', team: 'cyberdyne core', project: 'skynet' });
    await admin.updateContract(workflow.id, CONTRACT);
    const robot = await admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);

    // The CI checkout: a signed commit (author and committer at different times and offsets), a remote with a token.
    const cwd = mkdtempSync(join(root, 'checkout-'));
    git(cwd, ['init', '-q', '-b', 'main']);
    writeFileSync(join(cwd, 'message.txt'), MESSAGE);
    const key = join(root, 'signing-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { env: gitEnv });
    git(
      cwd,
      [
        '-c',
        'gpg.format=ssh',
        '-c',
        `user.signingkey=${key}`,
        'commit',
        '-q',
        '-S',
        '--allow-empty',
        '-F',
        'message.txt',
      ],
      { GIT_AUTHOR_DATE: '2024-03-01T23:30:00+05:30', GIT_COMMITTER_DATE: '2024-03-09T08:00:00-07:00' },
    );
    git(cwd, ['remote', 'add', 'origin', 'https://ci-bot:glpat-T0kenValue@gitlab.example/skynet/release.git']);
    const hash = git(cwd, ['rev-parse', 'HEAD']).trim();

    const statePath = join(root, 'state.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: root };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);

    const init = cli(['attestation', 'init', '--project-version', 'v2.0.0', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const initJson = JSON.parse(init.stdout);
    assert.deepEqual(initJson.workflowMeta.projectVersion, { version: 'v2.0.0' });
    assert.equal(initJson.workflowMeta.contractName, 'skynet-release');
    const runId: string = initJson.workflowMeta.workflowRunID;

    const status = cli(['attestation', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /│ Version +│ v2\.0\.0 +│/);

    for (const [name, value] of [
      ['build-ref', hash],
      ['image', `${layout}@sha256:${'a'.repeat(64)}`],
    ]) {
      const added = cli(['attestation', 'add', '--name', name, '--value', value]);
      assert.equal(added.status, 0, added.stderr);
    }
    const pushed = cli(['attestation', 'push', '--key', signingKey], { CHAINLOOP_SIGNING_PASSWORD: signingPassword });
    assert.equal(pushed.status, 0, pushed.stderr);

    const stored = await admin.getAttestation(runId);
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
    const predicate = statement.predicate as {
      metadata: Record<string, unknown>;
      materials: Array<{ name?: string; annotations: Record<string, unknown> }>;
    };
    assert.equal(predicate.metadata.projectVersion, 'v2.0.0');
    assert.equal(predicate.metadata.contractName, 'skynet-release');

    const head = statement.subject.find((subject) => subject.name === 'git.head');
    assert.ok(head, 'a git.head subject');
    assert.deepEqual(head.digest, { sha1: hash });
    const annotations = head.annotations as Record<string, unknown>;
    assert.equal(annotations.date, '2024-03-01T18:00:00Z', 'the author date, in UTC');
    assert.equal(annotations.message, MESSAGE);
    assert.deepEqual(annotations.remotes, [{ name: 'origin', url: 'https://gitlab.example/skynet/release.git' }]);
    assert.match(
      String(annotations.signature),
      /^-----BEGIN SSH SIGNATURE-----\n[\s\S]+\n-----END SSH SIGNATURE-----\n$/,
    );
    assert.doesNotMatch(Buffer.from(stored.bundle).toString(), /glpat-T0kenValue/);

    const image = predicate.materials.find((m) => m.annotations['chainloop.material.name'] === 'image');
    assert.deepEqual(image, {
      name: 'oci-layout:v2.0.0',
      digest: { sha256: 'a'.repeat(64) },
      annotations: {
        'chainloop.material.image.is_latest_tag': false,
        'chainloop.material.image.tag': 'v2.0.0',
        'chainloop.material.name': 'image',
        'chainloop.material.type': 'CONTAINER_IMAGE',
      },
    });
    const imageSubject = statement.subject.find((subject) => subject.name === 'oci-layout:v2.0.0');
    assert.equal(imageSubject?.annotations?.['chainloop.material.image.is_latest_tag'], false);

    const describe = runCli(['workflow', 'run', 'describe', '--id', runId], server.env);
    assert.equal(describe.status, 0, describe.stderr);
    assert.match(describe.stdout, /│ Project Version +│ v2\.0\.0 +│/);
    const describeJson = runCli(['workflow', 'run', 'describe', '--id', runId, '-o', 'json'], server.env);
    assert.equal(JSON.parse(describeJson.stdout).projectVersion, 'v2.0.0');
  });

  test('--project-version with a space: usage error, exit 2, nothing created', { timeout: 60_000 }, async () => {
    const workflow = await admin.createWorkflow({ name: 'bad-version', team: 'cyberdyne core', project: 'skynet' });
    const robot = await admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(root, 'bad-version-'));
    const statePath = join(cwd, 'state.json');
    const result = runCli(
      ['attestation', 'init', '--project-version', 'v1 beta', '--local-state-path', statePath],
      { CHAINLOOP_CONTROL_PLANE_API: server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token },
      cwd,
    );
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /^ERR --project-version "v1 beta" is not a version: use 1 to 256 characters without spaces/m,
    );
    assert.deepEqual(await admin.listRuns({ workflow: workflow.id }), []);
  });
});
