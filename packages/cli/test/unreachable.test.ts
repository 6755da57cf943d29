/**
 * A control plane that is not running (connection refused: nothing listens at its URL). Commands that cannot succeed
 * until someone starts it (init, status of a remote attestation, admin commands) say so after one attempt per call;
 * the ones that end a CI job's work (an upload by `add`, the push) keep retrying, so a control plane restart does not
 * lose them. Attempts are counted, not timed: Node's own trace of the CLI process (NODE_DEBUG=net) prints one
 * "attempting to connect" line per TCP connection the CLI opens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ADMIN_TOKEN, type CliResult, runCli, startWithCli } from './helpers/control-plane-cli';

const vectors = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signingKey = join(vectors, 'generated__p256_N65536.key');
const signingPassword = 'correct horse battery staple';

const CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
    optional: true
`;

describe('a control plane that is not running', { timeout: 300_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-unreachable-'));
  const localState = join(root, 'state.json');
  const artifact = join(root, 'rootfs.tar.gz');
  let url: string;
  let attestationId: string;
  let robot: Record<string, string>;

  // A real control plane on an ephemeral port, stopped once a local and a remote attestation were initialized: from
  // then on nothing listens at its URL.
  before(async () => {
    const server = await startWithCli();
    try {
      url = server.url;
      const admin = new ControlPlaneClient({ baseUrl: url, token: ADMIN_TOKEN });
      const workflow = await admin.createWorkflow({ name: 'gone', team: 'cyberdyne core', project: 'skynet' });
      await admin.updateContract(workflow.id, CONTRACT);
      robot = { CHAINLOOP_ROBOT_ACCOUNT: (await admin.createRobotAccount(workflow.id)).token ?? '' };
      const env = { CHAINLOOP_CONTROL_PLANE_API: url, TMPDIR: root, ...robot };
      const local = runCli(['attestation', 'init', '--local-state-path', localState], env, root);
      assert.equal(local.status, 0, local.stderr);
      const remote = runCli(['attestation', 'init', '--remote-state', '-o', 'json'], env, root);
      assert.equal(remote.status, 0, remote.stderr);
      attestationId = JSON.parse(remote.stdout).attestationID;
      assert.match(attestationId, /\S/);
    } finally {
      await server.stop();
    }
    writeFileSync(artifact, 'rootfs\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Runs the CLI against the stopped control plane; returns its result and the TCP connections it attempted. */
  function cli(args: string[], tokens: Record<string, string>): CliResult & { attempts: number } {
    const env = { CHAINLOOP_CONTROL_PLANE_API: url, NODE_DEBUG: 'net', TMPDIR: root, ...tokens };
    const result = runCli(args, env, root);
    const port = new URL(url).port;
    const attempts = result.stderr
      .split('\n')
      .filter((line) => new RegExp(`attempting to connect to 127\\.0\\.0\\.1:${port}\\b`).test(line)).length;
    return { ...result, attempts };
  }

  function assertOneErrLine(result: CliResult): void {
    assert.equal(result.status, 1, result.stderr);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
    assert.equal(errors.length, 1, result.stderr);
    assert.equal(
      errors[0],
      `ERR cannot reach the control plane at ${url} (connection refused): check --control-plane / CHAINLOOP_CONTROL_PLANE_API and that it is running`,
    );
  }

  for (const args of [
    ['workflow', 'list'],
    ['workflow', 'run', 'list'],
    ['artifact', 'download', '--digest', `sha256:${'0'.repeat(64)}`, '--output', 'blob'],
  ]) {
    test(`admin: ${args.join(' ')} tries once and says which URL to fix`, () => {
      const result = cli(args, { CHAINLOOP_TOKEN: ADMIN_TOKEN });
      assertOneErrLine(result);
      assert.equal(result.attempts, 1, 'one connection, no retries');
    });
  }

  test('attestation init tries once', () => {
    const result = cli(['attestation', 'init', '--local-state-path', join(root, 'another.json')], robot);
    assertOneErrLine(result);
    assert.equal(result.attempts, 1, 'one connection, no retries');
  });

  test('attestation status of a remote attestation tries each of its two reads once', () => {
    const result = cli(['attestation', 'status', '--attestation-id', attestationId], robot);
    assertOneErrLine(result);
    // The run and its state are read together: two connections; with retries there would be eight.
    assert.equal(result.attempts, 2);
  });

  test('attestation add keeps retrying its upload: a control plane restart does not fail the job at once', () => {
    const result = cli(
      ['attestation', 'add', '--name', 'rootfs', '--value', artifact, '--local-state-path', localState],
      robot,
    );
    assertOneErrLine(result);
    assert.equal(result.attempts, 4, 'the first attempt and three retries');
  });

  test('attestation push keeps retrying the store', () => {
    const result = cli(['attestation', 'push', '--key', signingKey, '--local-state-path', localState], {
      ...robot,
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^ERR cannot reach the control plane at .*\(connection refused\)/m);
    // Each store call is tried four times, and push itself tries the store again through an outage.
    assert.ok(result.attempts >= 4, `retried: ${result.attempts} attempts`);
  });
});
