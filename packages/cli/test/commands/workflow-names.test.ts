/**
 * A name the control plane would refuse by its rule (a workflow name is a DNS-1123 label; team, project, robot account
 * and key names are 1 to 200 characters) is a usage error: exit 2, one ERR line naming the value, the rule in words
 * and a valid example, and nothing is created on the server.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const publicKey = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'fixtures',
  'vectors',
  'keys',
  'generated__p256_N65536.pub',
);
const DNS_RULE =
  "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (a DNS-1123 label, e.g. build-and-test)";

function assertUsageError(result: CliResult, line: string): void {
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr, `ERR ${line}\n`);
  assert.equal(result.stdout, '');
}

describe('names the control plane would refuse, checked by the CLI', { timeout: 180_000 }, () => {
  const cp = embeddedControlPlane('cli-workflow-names-');
  const cli = (...args: string[]) => runCli(args, cp.server.env);

  test('workflow create --name Bad_Name: exit 2, one ERR line with the rule and an example, no workflow', {
    timeout: 60_000,
  }, async () => {
    const refused = cli('workflow', 'create', '--name', 'Bad_Name', '--team', 'cyberdyne core', '--project', 'skynet');
    assertUsageError(refused, `--name "Bad_Name" is not a valid workflow name: ${DNS_RULE}`);

    const tooLong = cli('workflow', 'create', '--name', 'a'.repeat(64), '--team', 't', '--project', 'p');
    assertUsageError(tooLong, `--name "${'a'.repeat(64)}" is not a valid workflow name: ${DNS_RULE}`);

    assert.deepEqual(await cp.admin.listWorkflows(), [], 'no workflow was created');
  });

  test('an empty or oversize team or project: exit 2, one ERR line, no workflow', { timeout: 60_000 }, async () => {
    assertUsageError(
      cli('workflow', 'create', '--name', 'ok-name', '--team', '', '--project', 'skynet'),
      '--team "" is not a valid team name: use 1 to 200 characters (e.g. "cyberdyne core")',
    );
    assertUsageError(
      cli('workflow', 'create', '--name', 'ok-name', '--team', 't', '--project', 'p'.repeat(201)),
      `--project "${'p'.repeat(59)}…" (201 characters) is not a valid project name: use 1 to 200 characters (e.g. "skynet")`,
    );
    assert.deepEqual(await cp.admin.listWorkflows(), [], 'no workflow was created');

    // A valid name still reaches the control plane, which creates it.
    const created = cli('workflow', 'create', '--name', 'ok-name', '--team', 't', '--project', 'p');
    assert.equal(created.status, 0, created.stderr);
    assert.deepEqual(
      (await cp.admin.listWorkflows()).map((workflow) => workflow.name),
      ['ok-name'],
    );
  });

  test('robot account and key names: exit 2, one ERR line, nothing created', { timeout: 60_000 }, async () => {
    const workflow = await cp.admin.createWorkflow({ name: 'named', team: 't', project: 'p' });
    assertUsageError(
      cli('workflow', 'robot-account', 'create', '--workflow', 'named', '--name', ''),
      '--name "" is not a valid robot account name: use 1 to 200 characters (e.g. "gitlab-ci")',
    );
    assert.deepEqual(await cp.admin.listRobotAccounts(workflow.id), []);

    assertUsageError(
      cli('workflow', 'key', 'add', '--workflow', 'named', '--file', publicKey, '--name', 'k'.repeat(201)),
      `--name "${'k'.repeat(59)}…" (201 characters) is not a valid key name: use 1 to 200 characters (e.g. "release")`,
    );
    assert.deepEqual(await cp.admin.listWorkflowKeys(workflow.id), []);
  });
});
