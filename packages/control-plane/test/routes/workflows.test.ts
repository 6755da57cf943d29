import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ControlPlaneProcess, call, removeDir, startControlPlaneProcess } from '../helpers/control-plane-process';

const CONTRACT_V1 = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
envAllowList:
  - GITHUB_REF
`;
const CONTRACT_V2_JSON = JSON.stringify({
  apiVersion: 'chainloop.dev/v1',
  kind: 'Contract',
  metadata: { name: 'build' },
  spec: { materials: [{ name: 'image', type: 'CONTAINER_IMAGE', output: true }] },
});

describe('workflows and contract revisions', () => {
  let server: ControlPlaneProcess;

  before(async () => {
    server = await startControlPlaneProcess();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('a new workflow starts with an empty contract at revision 1; uploads become 2, 3, … kept verbatim', async () => {
    const admin = server.admin();
    const workflow = await admin.createWorkflow({ name: 'build-and-test', team: 'cyberdyne core', project: 'skynet' });
    assert.match(workflow.id, /^[0-9a-f-]{36}$/);
    assert.equal((await admin.getContract('build-and-test')).revision, 1);

    const second = await admin.updateContract('build-and-test', CONTRACT_V1);
    assert.equal(second.revision, 2);
    assert.equal(second.format, 'yaml');
    assert.equal(second.body, CONTRACT_V1);

    // The same body again is not a new revision.
    assert.equal((await admin.updateContract(workflow.id, CONTRACT_V1)).revision, 2);

    const third = await admin.updateContract(workflow.id, CONTRACT_V2_JSON);
    assert.equal(third.revision, 3);
    assert.equal(third.format, 'json');

    assert.equal((await admin.getContract('build-and-test')).body, CONTRACT_V2_JSON);
    assert.equal((await admin.getContract('build-and-test', 2)).body, CONTRACT_V1);
    await assert.rejects(admin.getContract('build-and-test', 9), { code: 'CONTRACT_REVISION_NOT_FOUND' });
  });

  test('every contract revision is listed oldest first, each verbatim (the web UI diffs two of them)', {
    timeout: 30_000,
  }, async () => {
    const admin = server.admin();
    const workflow = await admin.createWorkflow({ name: 'revisions', team: 't', project: 'skynet' });
    await admin.updateContract('revisions', CONTRACT_V1);
    await admin.updateContract('revisions', CONTRACT_V2_JSON);
    const list = async (ref: string) => {
      const response = await call(server, 'GET', `/v1/workflows/${ref}/contract/revisions`, {
        token: server.adminToken,
      });
      assert.equal(response.status, 200, response.text);
      return response.json().revisions as Array<{ revision: number; body: string; format: string; workflowId: string }>;
    };
    const revisions = await list('revisions');
    assert.deepEqual(
      revisions.map((item) => [item.revision, item.format, item.body]),
      [
        [1, 'yaml', 'schemaVersion: v1\n'],
        [2, 'yaml', CONTRACT_V1],
        [3, 'json', CONTRACT_V2_JSON],
      ],
    );
    assert.ok(revisions.every((item) => item.workflowId === workflow.id));
    assert.deepEqual(await list(workflow.id), revisions);
    const missing = await call(server, 'GET', '/v1/workflows/nope/contract/revisions', { token: server.adminToken });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().code, 'WORKFLOW_NOT_FOUND');
  });

  test('an invalid contract is refused with 400 CONTRACT_INVALID naming the path, and no revision is added', async () => {
    const admin = server.admin();
    await admin.createWorkflow({ name: 'strict', team: 't', project: 'skynet' });
    const cases: Array<[string, RegExp]> = [
      ['schemaVersion: v1\nmaterials:\n  - name: rootfs\n    type: FOO\n', /materials\[0\]\.type: unknown kind "FOO"/],
      ['schemaVersion: v1\nmaterials:\n  - name: Not_DNS\n    type: ARTIFACT\n', /materials\[0\]\.name/],
      ['schemaVersion: v2\n', /schemaVersion/],
      ['materials: [\n', /not valid YAML or JSON/],
      ['{"apiVersion": "chainloop.dev/v1", "kind": "Policy"}', /kind/],
    ];
    for (const [body, message] of cases) {
      const response = await call(server, 'PUT', '/v1/workflows/strict/contract', {
        token: server.adminToken,
        json: { body },
      });
      assert.equal(response.status, 400, body);
      assert.equal(response.json().code, 'CONTRACT_INVALID');
      assert.match(response.json().message, message);
      assert.doesNotMatch(response.json().message, /\n/);
    }
    assert.equal((await admin.getContract('strict')).revision, 1);
  });

  test('workflow names are unique per project; a name in two projects must be given by id', async () => {
    const admin = server.admin();
    await admin.createWorkflow({ name: 'deploy', team: 't', project: 'alpha' });
    await assert.rejects(admin.createWorkflow({ name: 'deploy', team: 'other', project: 'alpha' }), {
      code: 'WORKFLOW_EXISTS',
      status: 409,
    });
    const beta = await admin.createWorkflow({ name: 'deploy', team: 't', project: 'beta' });
    await assert.rejects(admin.getWorkflow('deploy'), { code: 'WORKFLOW_AMBIGUOUS', message: /alpha, beta/ });
    assert.equal((await admin.getWorkflow(beta.id)).project, 'beta');
    await assert.rejects(admin.getWorkflow('nope'), { code: 'WORKFLOW_NOT_FOUND', status: 404 });
  });

  test('bad workflow input gets 400 with the field named', async () => {
    const response = await call(server, 'POST', '/v1/workflows', {
      token: server.adminToken,
      json: { name: 'Bad Name', team: 't', project: 'p' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json().code, 'INVALID_REQUEST');
    assert.match(response.json().message, /name/);
    const missing = await call(server, 'POST', '/v1/workflows', { token: server.adminToken, json: { name: 'x' } });
    assert.equal(missing.status, 400);
    assert.match(missing.json().message, /team/);
    const notJson = await call(server, 'POST', '/v1/workflows', {
      token: server.adminToken,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json().code, 'INVALID_JSON');
  });

  test('a name or revision the schema refuses is answered with the rule in words, not the pattern', async () => {
    const admin = { token: server.adminToken };
    const dnsRule =
      "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (a DNS-1123 label, e.g. build-and-test)";
    const refused = async (method: string, path: string, json: unknown, message: string) => {
      const response = await call(server, method, path, { ...admin, json });
      assert.equal(response.status, 400, response.text);
      assert.deepEqual(response.json(), { code: 'INVALID_REQUEST', message });
    };
    const workflow = (fields: Record<string, string>) => ({ name: 'named', team: 't', project: 'p', ...fields });
    await refused(
      'POST',
      '/v1/workflows',
      workflow({ name: 'Bad_Name' }),
      `invalid body: name "Bad_Name" is not a valid workflow name: ${dnsRule}`,
    );
    await refused(
      'POST',
      '/v1/workflows',
      workflow({ name: 'a'.repeat(64) }),
      `invalid body: name "${'a'.repeat(64)}" is not a valid workflow name: ${dnsRule}`,
    );
    await refused(
      'POST',
      '/v1/workflows',
      { team: 't', project: 'p' },
      `invalid body: name is missing: send a workflow name; ${dnsRule}`,
    );
    await refused(
      'POST',
      '/v1/workflows',
      workflow({ team: '' }),
      'invalid body: team "" is not a valid team name: use 1 to 200 characters',
    );
    await refused(
      'POST',
      '/v1/workflows',
      workflow({ project: 'p'.repeat(201) }),
      `invalid body: project "${'p'.repeat(59)}…" (201 characters) is not a valid project name: use 1 to 200 characters`,
    );
    await server.admin().createWorkflow({ name: 'named', team: 't', project: 'p' });
    await refused(
      'POST',
      '/v1/workflows/named/robot-accounts',
      { name: '' },
      'invalid body: name "" is not a valid robot account name: use 1 to 200 characters',
    );
    const revision = await call(server, 'GET', '/v1/workflows/named/contract?revision=two', admin);
    assert.equal(revision.status, 400);
    assert.deepEqual(revision.json(), {
      code: 'INVALID_REQUEST',
      message: 'invalid querystring: revision "two" is not a valid contract revision: use a whole number of 1 or more',
    });
    const robot = await server.admin().createRobotAccount('named');
    const run = await call(server, 'POST', '/v1/crafting/runs', {
      token: robot.token,
      json: { contractRevision: 1, runnerType: 'TRAVIS' },
    });
    assert.equal(run.status, 400);
    assert.match(
      run.json().message,
      /^invalid body: runnerType "TRAVIS" is not one of the accepted values: use GITHUB_ACTION, /,
    );
    const stored = (await server.admin().listWorkflows()).filter((each) => each.project === 'p');
    assert.deepEqual(
      stored.map((each) => each.name),
      ['named'],
      'nothing refused was stored',
    );
  });

  test('robot accounts: token shown once, listed without it, revocation is idempotent and scoped to the workflow', async () => {
    const admin = server.admin();
    await admin.createWorkflow({ name: 'robots', team: 't', project: 'skynet' });
    const account = await admin.createRobotAccount('robots', 'ci');
    assert.match(account.token ?? '', /^cl_robot_[A-Za-z0-9_-]{43}$/);
    const listed = await admin.listRobotAccounts('robots');
    assert.equal(listed.length, 1);
    assert.equal(listed[0].token, undefined);
    assert.doesNotMatch(JSON.stringify(listed), /tokenHash|cl_robot_/);
    await assert.rejects(admin.revokeRobotAccount('build-and-test', account.id), { code: 'ROBOT_ACCOUNT_NOT_FOUND' });
    const revoked = await admin.revokeRobotAccount('robots', account.id);
    assert.ok(revoked.revokedAt);
    assert.equal((await admin.revokeRobotAccount('robots', account.id)).revokedAt, revoked.revokedAt);
  });

  test('unknown routes answer 404 in the error shape', async () => {
    const response = await call(server, 'GET', '/v1/nothing-here');
    assert.equal(response.status, 404);
    assert.equal(response.json().code, 'ROUTE_NOT_FOUND');
  });
});
