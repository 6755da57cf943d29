/**
 * The bundled CLI in a GitHub Actions `pull_request` run: `attestation init` collects the runner context and the pull
 * request (CHAINLOOP_RUNNER_CONTEXT `runner-context`, CHAINLOOP_PR_INFO `pr-metadata-1347`, the annotation
 * `chainloop.dev/is-pull-request=true`) with no `add` line, and `push` records them in the statement the control plane
 * stores, with the digests of the documents in its CAS.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { GITHUB_PULL_REQUEST_ENV } from '../../../core/test/runners/ci-pull-requests';
import { ADMIN_TOKEN, type CliControlPlane, runCli, startWithCli } from '../helpers/control-plane-cli';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(FIXTURES, 'keys', 'generated__p256_N65536.key');
const publicKey = join(FIXTURES, 'keys', 'generated__p256_N65536.pub');

describe('CI context collected by init', { timeout: 240_000 }, () => {
  let server: CliControlPlane;
  let admin: ControlPlaneClient;
  const root = mkdtempSync(join(tmpdir(), 'cli-ci-context-'));

  before(async () => {
    server = await startWithCli();
    admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('init + push in a GitHub pull_request run records both materials', { timeout: 180_000 }, async () => {
    const workflow = await admin.createWorkflow({ name: 'pr-build', team: 'launch', project: 'rocket' });
    await admin.updateContract(workflow.id, 'schemaVersion: v1\nrunner:\n  type: GITHUB_ACTION\nmaterials: []\n');
    const robot = await admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(root, 'job-'));
    const env = {
      ...GITHUB_PULL_REQUEST_ENV,
      PATH: process.env.PATH ?? '',
      HOME: root,
      TMPDIR: root,
      CHAINLOOP_CONTROL_PLANE_API: server.url,
      CHAINLOOP_ROBOT_ACCOUNT: robot.token,
    };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', join(root, 'state.json')], { ...env, ...extra }, cwd);

    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stderr, /material "pr-metadata-1347" \(CHAINLOOP_PR_INFO\) collected from the GitHub Actions/);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;

    const pushed = cli(['attestation', 'push', '--key', signingKey], {
      CHAINLOOP_SIGNING_PASSWORD: 'correct horse battery staple',
    });
    assert.equal(pushed.status, 0, pushed.stderr);

    const stored = await admin.getAttestation(runId);
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
    const predicate = statement.predicate as {
      annotations?: Record<string, string>;
      materials: Array<{ name?: string; digest: { sha256: string }; annotations: Record<string, unknown> }>;
    };
    assert.equal(predicate.annotations?.['chainloop.dev/is-pull-request'], 'true');
    const byName = new Map(predicate.materials.map((m) => [m.annotations['chainloop.material.name'], m]));
    const pr = byName.get('pr-metadata-1347');
    const context = byName.get('runner-context');
    assert.ok(pr && context, `materials: ${[...byName.keys()].join(', ')}`);
    assert.equal(pr.annotations['chainloop.material.type'], 'CHAINLOOP_PR_INFO');
    assert.equal(context.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
    assert.equal(pr.annotations['chainloop.material.cas'], true);
    assert.equal(pr.name, 'pr-metadata-1347.json');

    // The recorded digest is the stored document's, and the document is the PR the event payload describes.
    const download = join(root, 'pr.json');
    await new ControlPlaneClient({ baseUrl: server.url, token: robot.token }).downloadBlob(
      `sha256:${pr.digest.sha256}`,
      download,
    );
    const bytes = readFileSync(download);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), pr.digest.sha256);
    const evidence = JSON.parse(bytes.toString('utf8'));
    assert.equal(evidence.data.number, '1347');
    assert.equal(evidence.data.title, 'Throttle the second stage ignition <fix>');
    assert.equal(evidence.data.source_branch, 'fix/stage-two-throttle');
  });
});
