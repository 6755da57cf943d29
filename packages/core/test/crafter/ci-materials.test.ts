/**
 * `attestation init` in a CI collects the runner context and the pull request being built, as Chainloop's init
 * collectors do: against the real control plane, with a local state file, the materials land in the state with the
 * digest of the document stored in the CAS; a dry run and a run outside any CI collect nothing, a run that builds no
 * pull request no PR material; a payload that cannot be read is a warning, not a failed init.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { type CraftingContext, initAttestation } from '@chainloop-ts/core/crafter';
import { ADMIN_TOKEN, type RunningServer, startControlPlane } from '../client/helpers/control-plane';
import { GITHUB_ACTIONS_ENV } from '../runners/ci-environments';
import { GITHUB_PULL_REQUEST_ENV, GITLAB_MERGE_REQUEST_ENV } from '../runners/ci-pull-requests';

const workDir = mkdtempSync(join(tmpdir(), 'ci-materials-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('init collects the CI context', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let robot: ControlPlaneClient;

  before(async () => {
    server = await startControlPlane();
    const admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    const workflow = await admin.createWorkflow({ name: 'build', team: 'launch', project: 'rocket' });
    await admin.updateContract(workflow.id, 'schemaVersion: v1\nmaterials:\n  - name: build-ref\n    type: STRING\n');
    const account = await admin.createRobotAccount(workflow.id, 'ci');
    robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token ?? '', retries: 0 });
  });
  after(() => server?.stop());

  let count = 0;
  async function init(env: NodeJS.ProcessEnv, dryRun = false) {
    const logs: string[] = [];
    const context: CraftingContext = {
      env,
      cwd: workDir,
      log: { info: (line) => logs.push(`INF ${line}`), warn: (line) => logs.push(`WRN ${line}`) },
      client: robot,
    };
    count += 1;
    const { state } = await initAttestation(context, {
      dryRun,
      remoteState: false,
      replace: false,
      localStatePath: join(workDir, `state-${count}.json`),
    });
    return { state, logs };
  }

  /** The stored CAS blob of a material, parsed: what a verifier downloads. */
  async function stored(digest: string): Promise<Record<string, unknown>> {
    const path = join(workDir, `blob-${digest.slice(7, 19)}.json`);
    await robot.downloadBlob(digest, path);
    return JSON.parse(readFileSync(path, 'utf8'));
  }

  test('a GitHub pull_request run gets runner-context, pr-metadata-1347 and the PR annotation', async () => {
    const { state, logs } = await init(GITHUB_PULL_REQUEST_ENV);
    assert.deepEqual(Object.keys(state.materials).sort(), ['pr-metadata-1347', 'runner-context']);
    assert.equal(state.annotations['chainloop.dev/is-pull-request'], 'true');

    const pr = state.materials['pr-metadata-1347'];
    assert.equal(pr.kind, 'CHAINLOOP_PR_INFO');
    assert.equal(pr.uploadedToCas, true);
    assert.equal(pr.contractFree, true);
    assert.equal(pr.fileName, 'pr-metadata-1347.json');
    const evidence = await stored(pr.digest);
    assert.equal(evidence['chainloop.material.evidence.id'], 'CHAINLOOP_PR_INFO');
    assert.deepEqual((evidence.data as Record<string, unknown>).url, 'https://github.com/acme/rocket/pull/1347');
    assert.deepEqual((evidence.data as Record<string, unknown>).author, { login: 'sarah-connor', type: 'User' });

    const context = state.materials['runner-context'];
    assert.equal(context.kind, 'CHAINLOOP_RUNNER_CONTEXT');
    assert.equal(context.uploadedToCas, true);
    const document = await stored(context.digest);
    assert.equal((document.meta as Record<string, unknown>).id, 'chainloop.dev/runner-context/v0.1');
    assert.deepEqual((document.data as Record<string, unknown>).repos, [
      {
        owner: 'acme',
        repository: 'rocket',
        branches: [{ name: 'fix/stage-two-throttle', commits: ['3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b'] }],
      },
    ]);
    assert.ok(logs.some((line) => line.includes('material "pr-metadata-1347" (CHAINLOOP_PR_INFO) collected')));
  });

  test('a GitLab merge request pipeline gets pr-metadata-88', async () => {
    const { state } = await init(GITLAB_MERGE_REQUEST_ENV);
    assert.deepEqual(Object.keys(state.materials).sort(), ['pr-metadata-88', 'runner-context']);
    const evidence = await stored(state.materials['pr-metadata-88'].digest);
    assert.equal((evidence.data as Record<string, unknown>).url, 'https://gitlab.com/acme/rocket/-/merge_requests/88');
  });

  test('a push build gets the runner context only, and no PR annotation', async () => {
    const { state } = await init(GITHUB_ACTIONS_ENV);
    assert.deepEqual(Object.keys(state.materials), ['runner-context']);
    assert.equal(state.annotations['chainloop.dev/is-pull-request'], undefined);
  });

  test('a dry run collects nothing', async () => {
    const { state } = await init(GITHUB_PULL_REQUEST_ENV, true);
    assert.deepEqual(state.materials, {});
    assert.deepEqual(state.annotations, {});
  });

  test('outside any CI nothing is collected', async () => {
    const { state } = await init({ PATH: process.env.PATH, HOME: workDir });
    assert.deepEqual(state.materials, {});
  });

  test('an unreadable event payload is a warning; init still succeeds with the runner context', async () => {
    const missing = join(workDir, 'gone.json');
    const { state, logs } = await init({ ...GITHUB_PULL_REQUEST_ENV, GITHUB_EVENT_PATH: missing });
    assert.deepEqual(Object.keys(state.materials), ['runner-context']);
    assert.ok(
      logs.some((line) => line.startsWith('WRN pull request info not collected:') && line.includes(missing)),
      logs.join('\n'),
    );
  });
});
