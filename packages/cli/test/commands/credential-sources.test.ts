/**
 * A credential that is missing or refused is named by where the user set it: a robot token refused by the control
 * plane names --token, CHAINLOOP_ROBOT_ACCOUNT or CHAINLOOP_TOKEN (whichever it came from), and a push in a CI job
 * (no terminal, nothing on stdin) whose signing password is not set says so instead of "wrong password".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const vectors = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signingKey = join(vectors, 'generated__p256_N65536.key');
const signingPassword = 'correct horse battery staple';

function assertOneError(result: CliResult, status: number, message: RegExp): void {
  assert.equal(result.status, status, result.stderr);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(errors[0], message);
}

describe('credentials named by their source, against the embedded control plane', { timeout: 240_000 }, () => {
  const cp = embeddedControlPlane('cli-credentials-');
  const root = cp.root;

  async function job(name: string) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(
      workflow.id,
      'schemaVersion: v1\nmaterials:\n  - name: build-ref\n    type: STRING\n',
    );
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(root, `${name}-`));
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string>) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    return { workflow, robot: { id: robot.id, token: robot.token }, statePath, cli };
  }

  test('a refused robot token names where it came from', { timeout: 60_000 }, async () => {
    const { cli } = await job('bad-token');
    const init = ['attestation', 'init', '--dry-run'];
    const invalid = /^ERR the token is not valid for this control plane: check (\S+) \(where this token came from\)$/;

    const fromRobotAccount = cli(init, { CHAINLOOP_ROBOT_ACCOUNT: 'cl_robot_not-a-token' });
    assertOneError(fromRobotAccount, 1, invalid);
    assert.match(fromRobotAccount.stderr, /check CHAINLOOP_ROBOT_ACCOUNT \(where/);
    assert.doesNotMatch(fromRobotAccount.stderr, /CHAINLOOP_TOKEN|--token|cl_robot_not-a-token/);

    const fromToken = cli(init, { CHAINLOOP_TOKEN: 'cl_robot_not-a-token' });
    assertOneError(fromToken, 1, invalid);
    assert.match(fromToken.stderr, /check CHAINLOOP_TOKEN \(where/);

    // The flag wins over the variables, and is what the message names.
    const fromFlag = cli([...init, '--token', 'cl_robot_not-a-token'], { CHAINLOOP_ROBOT_ACCOUNT: 'cl_robot_other' });
    assertOneError(fromFlag, 1, invalid);
    assert.match(fromFlag.stderr, /check --token \(where/);

    // Admin commands too: CHAINLOOP_TOKEN is where a bad admin token was set.
    const adminList = runCli(['workflow', 'list'], {
      CHAINLOOP_CONTROL_PLANE_API: cp.server.url,
      CHAINLOOP_TOKEN: 'x',
    });
    assertOneError(adminList, 1, invalid);
    assert.match(adminList.stderr, /check CHAINLOOP_TOKEN \(where/);
  });

  test('a revoked robot account keeps its own fix and gains the source', { timeout: 60_000 }, async () => {
    const { workflow, robot, cli } = await job('revoked');
    await cp.admin.revokeRobotAccount(workflow.id, robot.id);
    const refused = cli(['attestation', 'init', '--dry-run'], { CHAINLOOP_ROBOT_ACCOUNT: robot.token });
    assertOneError(
      refused,
      1,
      /^ERR robot account \S+ was revoked: ask an admin for a new robot account token \(the token came from CHAINLOOP_ROBOT_ACCOUNT\)$/,
    );
  });

  test('push with an encrypted key and no password in a CI job (no terminal, nothing piped): "not set", not "wrong"', {
    timeout: 120_000,
  }, async () => {
    const { robot, statePath, cli } = await job('no-password');
    const token = { CHAINLOOP_ROBOT_ACCOUNT: robot.token };
    const init = cli(['attestation', 'init', '-o', 'json'], token);
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;
    assert.equal(cli(['attestation', 'add', '--name', 'build-ref', '--value', 'v1'], token).status, 0);
    const stateBefore = readFileSync(statePath, 'utf8');

    // runCli gives the CLI no stdin (/dev/null) and no terminal, as CI does.
    const pushed = cli(['attestation', 'push', '--key', signingKey], token);
    assertOneError(
      pushed,
      2,
      new RegExp(
        `^ERR signing key ${signingKey.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is encrypted and no password is set: set CHAINLOOP_SIGNING_PASSWORD or pipe the password on stdin \\(no terminal to prompt on\\)$`,
      ),
    );
    assert.doesNotMatch(pushed.stderr, /wrong password/);
    assert.equal(readFileSync(statePath, 'utf8'), stateBefore, 'the attestation in progress is kept for a retry');
    assert.equal((await cp.admin.getRun(runId)).status, 'initialized');

    // The same run then pushes once the password is set.
    const retried = cli(['attestation', 'push', '--key', signingKey], {
      ...token,
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal((await cp.admin.getRun(runId)).status, 'succeeded');
  });
});
