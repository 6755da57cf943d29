import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from './helpers/control-plane-process';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('auth matrix', () => {
  let server: ControlPlaneProcess;
  let a: Awaited<ReturnType<typeof workflowWithRobot>>;
  let b: Awaited<ReturnType<typeof workflowWithRobot>>;
  let runB: string;
  const secretB = 'bytes only workflow B uploaded';
  let revokedToken: string;

  before(async () => {
    server = await startControlPlaneProcess();
    a = await workflowWithRobot(server, 'wf-a');
    b = await workflowWithRobot(server, 'wf-b');
    runB = (await b.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' })).id;
    await b.robot.writeRunState(runB, { secret: 'state of B' });
    await call(server, 'PUT', `/v1/cas/${sha256(secretB)}`, {
      token: b.token,
      body: secretB,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await b.robot.storeAttestation(runB, JSON.stringify({ attestation: 'of B' }));
    const revoked = await server.admin().createRobotAccount('wf-a', 'to-revoke');
    revokedToken = revoked.token ?? '';
    await server.admin().revokeRobotAccount('wf-a', revoked.id);
  });

  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  const adminPaths = () => [
    ['GET', '/v1/workflows'],
    ['GET', '/v1/workflows/wf-b'],
    ['GET', '/v1/workflows/wf-b/contract'],
    ['GET', '/v1/workflows/wf-b/robot-accounts'],
    ['GET', '/metrics'],
  ];
  const robotPaths = () => [
    ['GET', '/v1/whoami'],
    ['GET', '/v1/crafting/contract'],
    ['GET', `/v1/runs/${runB}`],
    ['GET', `/v1/runs/${runB}/state`],
    ['GET', `/v1/attestations/${runB}`],
    ['GET', `/v1/cas/${sha256(secretB)}`],
  ];

  test('no token, a garbage token and a malformed header get 401 with the error shape and no data', async () => {
    for (const [method, path] of [...adminPaths(), ...robotPaths()]) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer cl_robot_garbage' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: `Bearer ${server.adminToken}x` },
      ]) {
        const response = await call(server, method, path, { headers });
        assert.equal(response.status, 401, `${method} ${path} with ${JSON.stringify(headers)}`);
        const body = response.json();
        assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
        assert.equal(body.code, 'UNAUTHENTICATED');
        assert.doesNotMatch(response.text, /state of B|of B|wf-b|skynet/);
      }
    }
  });

  test('a revoked robot token gets 401 everywhere, naming the revocation', async () => {
    for (const [method, path] of [...robotPaths(), ['POST', '/v1/crafting/runs']]) {
      const response = await call(server, method, path, {
        token: revokedToken,
        json: method === 'POST' ? { contractRevision: 2, runnerType: 'GITHUB_ACTION' } : undefined,
      });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.match(response.json().message, /revoked/);
    }
  });

  test('a robot token on admin endpoints gets 403', async () => {
    for (const [method, path] of adminPaths()) {
      const response = await call(server, method, path, { token: a.token });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.json().code, 'FORBIDDEN');
      assert.doesNotMatch(response.text, /skynet|wf-b/);
    }
    const create = await call(server, 'POST', '/v1/workflows', {
      token: a.token,
      json: { name: 'sneaky', team: 't', project: 'p' },
    });
    assert.equal(create.status, 403);
    assert.equal(
      (await server.admin().listWorkflows()).some((w) => w.name === 'sneaky'),
      false,
    );
  });

  test("a robot lists its own workflow's runs only; another workflow is not found", async () => {
    const runA = await a.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const own = await call(server, 'GET', '/v1/runs', { token: a.token });
    assert.equal(own.status, 200);
    assert.deepEqual(
      own.json().runs.map((run: { id: string; workflowName: string }) => [run.id, run.workflowName]),
      [[runA.id, 'wf-a']],
    );
    assert.equal((await call(server, 'GET', '/v1/runs?workflow=wf-a', { token: a.token })).json().runs.length, 1);
    for (const other of ['wf-b', b.workflow.id, 'no-such-workflow']) {
      const response = await call(server, 'GET', `/v1/runs?workflow=${other}`, { token: a.token });
      assert.equal(response.status, 404, other);
      assert.equal(response.json().code, 'WORKFLOW_NOT_FOUND');
      assert.doesNotMatch(response.text, new RegExp(runB));
    }
    assert.deepEqual(
      (await a.robot.listRuns()).map((run) => run.id),
      [runA.id],
    );
  });

  test('an admin token on crafting endpoints gets 403, but may read everything', async () => {
    assert.equal((await call(server, 'GET', '/v1/crafting/contract', { token: server.adminToken })).status, 403);
    const admin = server.admin();
    assert.deepEqual(await admin.whoami(), { kind: 'admin' });
    assert.equal((await admin.getRun(runB)).status, 'succeeded');
    assert.equal((await admin.getAttestation(runB)).bundle, JSON.stringify({ attestation: 'of B' }));
    // What docs/control-plane.md says GET /v1/attestations answers: a JSON record whose `bundle` is the stored text.
    const raw = await call(server, 'GET', `/v1/attestations/${runB}`, { token: server.adminToken });
    assert.deepEqual(Object.keys(raw.json()).sort(), ['bundle', 'createdAt', 'digest', 'runId', 'workflowId']);
    assert.equal(await admin.hasBlob(sha256(secretB)), true);
  });

  test("a robot of workflow A asking for workflow B's run, state, attestation and blobs gets 404 and no data", async () => {
    const foreign = [
      ['GET', `/v1/runs/${runB}`],
      ['GET', `/v1/runs/${runB}/state`],
      ['PUT', `/v1/runs/${runB}/state`],
      ['DELETE', `/v1/runs/${runB}/state`],
      ['POST', `/v1/runs/${runB}/reset`],
      ['POST', `/v1/runs/${runB}/attestation`],
      ['GET', `/v1/attestations/${runB}`],
      ['GET', `/v1/attestations/${(await server.admin().getRun(runB)).attestationDigest}`],
      ['GET', `/v1/cas/${sha256(secretB)}`],
      ['HEAD', `/v1/cas/${sha256(secretB)}`],
    ];
    const bodies: Record<string, unknown> = {
      [`PUT /v1/runs/${runB}/state`]: { state: { overwritten: true } },
      [`POST /v1/runs/${runB}/reset`]: { trigger: 'cancellation' },
      [`POST /v1/runs/${runB}/attestation`]: { bundle: '{"forged":true}' },
    };
    for (const [method, path] of foreign) {
      const response = await call(server, method, path, {
        token: a.token,
        json: bodies[`${method} ${path}`],
        headers: method === 'PUT' ? { 'if-none-match': '*' } : {},
      });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.doesNotMatch(response.text, /state of B|of B|wf-b|bytes only/);
    }
    // Nothing of B changed.
    const stateB = await b.robot.readRunState(runB);
    assert.deepEqual(stateB?.state, { secret: 'state of B' });
    const runAfter = await server.admin().getRun(runB);
    assert.equal(runAfter.status, 'succeeded');
    assert.equal(runAfter.trigger, undefined);
  });

  test('robot A proves possession to read a blob B uploaded: a wrong body gets nothing, the right bytes grant it', async () => {
    const digest = sha256(secretB);
    const forged = await call(server, 'PUT', `/v1/cas/${digest}`, {
      token: a.token,
      body: 'not the bytes',
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(forged.status, 400);
    assert.equal(forged.json().code, 'DIGEST_MISMATCH');
    assert.equal(await a.robot.hasBlob(digest), false);
    const real = await call(server, 'PUT', `/v1/cas/${digest}`, {
      token: a.token,
      body: secretB,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(real.status, 201, 'the same answer as for bytes nobody stored (no existence oracle)');
    assert.equal(await a.robot.hasBlob(digest), true);
  });

  test('whoami tells a robot its own workflow only', async () => {
    const identity = await a.robot.whoami();
    assert.equal(identity.kind, 'robot');
    assert.equal(identity.kind === 'robot' && identity.workflow.id, a.workflow.id);
    const contract = await a.robot.getCraftingContract();
    assert.equal(contract.workflow.id, a.workflow.id);
  });

  test('the request log has one line per request and never a token', () => {
    const logs = server.logs();
    assert.match(logs, /^INF GET \/v1\/workflows 401 \d+\.\dms$/m);
    for (const secret of [server.adminToken, a.token, b.token, revokedToken])
      assert.equal(logs.includes(secret), false);
    assert.doesNotMatch(logs, /cl_robot_|Bearer/);
  });
});
