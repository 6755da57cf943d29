import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { type CliControlPlane, runCli, startWithCli } from '../helpers/control-plane-cli';

const CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
envAllowList:
  - GITHUB_REF
`;

// A control plane process and some forty CLI runs: bounded, so a stuck server fails the suite instead of hanging it.
describe('admin commands, end to end with the bundled CLI', { timeout: 300_000 }, () => {
  let server: CliControlPlane;
  const workDir = mkdtempSync(join(tmpdir(), 'cli-admin-'));
  const cli = (...args: string[]) => runCli(args, server.env);
  const json = (...args: string[]) => {
    const result = cli(...args, '-o', 'json');
    assert.equal(result.status, 0, `chainloop ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    server = await startWithCli();
  });
  after(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('workflow create and list, as a table and as JSON', () => {
    const created = json(
      'workflow',
      'create',
      '--name',
      'build-and-test',
      '--team',
      'cyberdyne core',
      '--project',
      'skynet',
    );
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.team, 'cyberdyne core');

    const table = cli('workflow', 'create', '--name', 'release', '--team', 'cyberdyne core', '--project', 'skynet');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /│ Name\s+│ release\s+│/);
    assert.match(table.stderr, /^INF workflow release created$/m);

    const listed = json('workflow', 'list');
    assert.deepEqual(
      listed.map((workflow: { name: string }) => workflow.name),
      ['build-and-test', 'release'],
    );
    const listTable = cli('workflow', 'list');
    assert.match(listTable.stdout, /NAME\s+│ TEAM\s+│ PROJECT/);
    assert.match(listTable.stdout, new RegExp(`${created.id}\\s+│ build-and-test`));

    const duplicate = cli('workflow', 'create', '--name', 'release', '--team', 'x', '--project', 'skynet');
    assert.equal(duplicate.status, 1);
    assert.match(duplicate.stderr, /^ERR workflow "release" already exists in project "skynet"/m);
  });

  test('contract update prints the new revision; describe shows the latest or a given revision verbatim', () => {
    const file = join(workDir, 'contract.yaml');
    writeFileSync(file, CONTRACT);
    const updated = json('workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', file);
    assert.equal(updated.revision, 2);

    const described = json('workflow', 'contract', 'describe', '--workflow', 'build-and-test');
    assert.equal(described.body, CONTRACT);
    assert.equal(
      json('workflow', 'contract', 'describe', '--workflow', 'build-and-test', '--revision', '1').revision,
      1,
    );

    const table = cli('workflow', 'contract', 'describe', '--workflow', 'build-and-test');
    assert.match(table.stdout, /│ Revision\s+│ 2\s+│/);
    assert.ok(table.stdout.includes(CONTRACT.trimEnd()));
  });

  test('contract mistakes are one-line errors with the right exit code', () => {
    const bad = join(workDir, 'bad.yaml');
    writeFileSync(bad, 'schemaVersion: v1\nmaterials:\n  - name: rootfs\n    type: TARBALL\n');
    const invalid = cli('workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', bad);
    assert.equal(invalid.status, 1);
    assert.match(invalid.stderr, /^ERR invalid contract: materials\[0\]\.type: unknown kind "TARBALL"/m);
    assert.equal(invalid.stderr.trim().split('\n').length, 1);

    const missing = cli(
      'workflow',
      'contract',
      'update',
      '--workflow',
      'build-and-test',
      '--file',
      join(workDir, 'nope.yaml'),
    );
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^ERR contract file .*nope\.yaml not found: pass --file/m);

    const revision = cli('workflow', 'contract', 'describe', '--workflow', 'build-and-test', '--revision', 'two');
    assert.equal(revision.status, 2);
    assert.match(revision.stderr, /--revision "two" is not a revision number/);

    const unknown = cli('workflow', 'contract', 'describe', '--workflow', 'no-such-workflow');
    assert.equal(unknown.status, 1);
    assert.match(
      unknown.stderr,
      /^ERR workflow "no-such-workflow" not found: list workflows with chainloop workflow list$/m,
    );
  });

  test('robot-account create shows the token once; revoke stops it working', async () => {
    const account = json('workflow', 'robot-account', 'create', '--workflow', 'build-and-test', '--name', 'github');
    assert.match(account.token, /^cl_robot_/);
    assert.equal(account.name, 'github');
    const robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token });
    assert.equal((await robot.whoami()).kind, 'robot');

    const table = cli('workflow', 'robot-account', 'create', '--workflow', 'build-and-test');
    assert.match(table.stdout, /│ Token\s+│ cl_robot_/);
    assert.match(table.stderr, /^WRN the token is shown only now/m);

    const listed = cli('workflow', 'robot-account', 'list', '--workflow', 'build-and-test');
    assert.equal(listed.status, 0, listed.stderr);
    assert.doesNotMatch(listed.stdout, /cl_robot_/);

    const revoked = json('workflow', 'robot-account', 'revoke', '--workflow', 'build-and-test', '--id', account.id);
    assert.ok(revoked.revokedAt);
    await assert.rejects(robot.whoami(), { code: 'UNAUTHENTICATED', message: /revoked/ });
  });

  test('run list and run describe show what the crafting side did', async () => {
    const account = json('workflow', 'robot-account', 'create', '--workflow', 'build-and-test');
    const robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token });
    const pushed = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION', jobUrl: 'https://ci/1' });
    const bundle = JSON.stringify({ dsseEnvelope: { payload: '', payloadType: 'application/vnd.in-toto+json' } });
    const { digest } = await robot.storeAttestation(pushed.id, bundle);
    const cancelled = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    await robot.resetRun(cancelled.id, { trigger: 'cancellation', reason: 'pipeline cancelled' });

    const runs = json('workflow', 'run', 'list', '--workflow', 'build-and-test');
    assert.deepEqual(
      runs.map((run: { id: string; status: string }) => [run.id, run.status]).sort(),
      [
        [cancelled.id, 'cancelled'],
        [pushed.id, 'succeeded'],
      ].sort(),
    );
    assert.ok(runs[0].createdAt >= runs[1].createdAt, 'newest first');
    assert.deepEqual(json('workflow', 'run', 'list', '--workflow', 'release'), []);
    assert.match(cli('workflow', 'run', 'list').stdout, new RegExp(`${pushed.id}\\s+│ build-and-test\\s+│ succeeded`));

    const described = json('workflow', 'run', 'describe', '--id', pushed.id);
    assert.equal(described.attestationDigest, digest);
    assert.deepEqual(described.attestation, JSON.parse(bundle));
    const table = cli('workflow', 'run', 'describe', '--id', cancelled.id);
    assert.match(table.stdout, /│ Status\s+│ cancelled\s+│/);
    assert.match(table.stdout, /│ Reason\s+│ pipeline cancelled\s+│/);

    const missing = cli('workflow', 'run', 'describe', '--id', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^ERR workflow run nope not found/m);
  });

  test('run describe --verify checks the stored attestation offline with a public key', async () => {
    const { generateKeyPair, loadSigningKey, signStatement } = await import('@chainloop-ts/core/attestation');
    const keys = await generateKeyPair({ password: 'pw' });
    const other = await generateKeyPair({ password: 'pw' });
    writeFileSync(join(workDir, 'cosign.key'), keys.privateKeyPem);
    writeFileSync(join(workDir, 'cosign.pub'), keys.publicKeyPem);
    writeFileSync(join(workDir, 'other.pub'), other.publicKeyPem);
    const signer = await loadSigningKey(join(workDir, 'cosign.key'), { password: 'pw' });
    const { bundleJson } = await signStatement(
      {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'skynet-control-plane', digest: { sha256: 'a'.repeat(64) } }],
        predicateType: 'https://chainloop.dev/attestation/v0.2',
        predicate: {},
      },
      signer,
    );
    const account = json('workflow', 'robot-account', 'create', '--workflow', 'build-and-test');
    const robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token });
    const run = await robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    await robot.storeAttestation(run.id, bundleJson);

    const good = cli('workflow', 'run', 'describe', '--id', run.id, '--verify', '--key', join(workDir, 'cosign.pub'));
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /│ Verified\s+│ Yes, signed by public key\s+│/);
    const asJson = json(
      'workflow',
      'run',
      'describe',
      '--id',
      run.id,
      '--verify',
      '--key',
      join(workDir, 'cosign.pub'),
    );
    assert.equal(asJson.verified, true);

    const wrongKey = cli(
      'workflow',
      'run',
      'describe',
      '--id',
      run.id,
      '--verify',
      '--key',
      join(workDir, 'other.pub'),
    );
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.stderr, /^ERR .*signature does not match/m);

    const noTrust = cli('workflow', 'run', 'describe', '--id', run.id, '--verify');
    assert.equal(noTrust.status, 2);
    assert.match(noTrust.stderr, /--verify needs something to verify against: pass --key PUB or --cert-chain CHAIN/);
  });

  test('tokens and the control plane URL: missing, wrong and unreachable', () => {
    const noToken = runCli(['workflow', 'list'], { CHAINLOOP_CONTROL_PLANE_API: server.url });
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /^ERR no API token: pass --token or set CHAINLOOP_TOKEN$/m);

    const wrong = runCli(['workflow', 'list', '--token', 'cl_admin_wrong'], {
      CHAINLOOP_CONTROL_PLANE_API: server.url,
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^ERR the token is not valid for this control plane/m);
    assert.doesNotMatch(wrong.stderr, /cl_admin_wrong/);

    const down = runCli(['workflow', 'list', '--control-plane', 'http://127.0.0.1:1'], { CHAINLOOP_TOKEN: 't' });
    assert.equal(down.status, 1);
    assert.match(
      down.stderr,
      /^ERR cannot reach the control plane at http:\/\/127\.0\.0\.1:1 .*--control-plane \/ CHAINLOOP_CONTROL_PLANE_API/m,
    );
  });
});
