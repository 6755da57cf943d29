/**
 * Routes fail closed and every error is `{code, message}`: no route answers without its token, a route that forgets
 * its access rule stops the server from starting, /metrics needs the admin token, unknown routes and malformed input
 * get the error shape, and each token has a rate limit answered with 429 and Retry-After.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { requireAccessRules } from '../../src/http/access-control';
import {
  type ControlPlaneProcess,
  call,
  controlPlaneBin,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /v1/openapi.json',
  'GET /v1/downloads/chainloop.cjs',
  'GET /v1/downloads/chainloop.cjs.sha256',
  // The web UI's page and static files, and its sign-in (which takes the admin token in its body).
  'GET /',
  'GET /ui/{file}',
  'POST /v1/ui/session',
];

describe('security: routes', { timeout: 90_000 }, () => {
  let server: ControlPlaneProcess;

  before(async () => {
    server = await startControlPlaneProcess();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('every route of the OpenAPI document refuses a request without a token, in the error shape', async () => {
    const document = (await call(server, 'GET', '/v1/openapi.json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
    assert.ok(operations.length >= 30, `${operations.length} operations documented`);
    const open: string[] = [];
    for (const { method, path } of operations) {
      const concrete = path.replace(/\{digest\}/g, `sha256:${'0'.repeat(64)}`).replace(/\{\w+\}/g, 'x');
      const answer = await call(server, method, concrete, {
        headers:
          method === 'GET' || method === 'HEAD' || method === 'DELETE' ? {} : { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : '{}',
      });
      if (answer.status !== 401) {
        open.push(`${method} ${path}`);
        continue;
      }
      if (method === 'HEAD') continue;
      assert.equal(answer.json().code, 'UNAUTHENTICATED', `${method} ${path}`);
      assert.match(answer.json().message, /bearer token/);
    }
    assert.deepEqual(open.sort(), PUBLIC_ROUTES.sort());
  });

  test('a route that declares no access rule is refused when the server is built', async () => {
    const app = Fastify();
    requireAccessRules(app);
    assert.throws(
      () => app.get('/v1/forgotten', async () => 'data'),
      /route GET \/v1\/forgotten declares no access rule/,
    );
    assert.doesNotThrow(() => app.get('/v1/declared', { config: { access: 'admin' } }, async () => 'data'));
    await app.close();
  });

  test('/metrics needs the admin token', async () => {
    const { token } = await workflowWithRobot(server, 'metrics-reader');
    assert.equal((await call(server, 'GET', '/metrics')).status, 401);
    assert.equal((await call(server, 'GET', '/metrics', { token })).status, 403);
    const admin = await call(server, 'GET', '/metrics', { token: server.adminToken });
    assert.equal(admin.status, 200);
    assert.match(admin.text, /chainloop_http_requests_total/);
  });

  test('unknown routes, malformed JSON, bad URLs and bad HTTP get {code, message}', async () => {
    const expectShape = (
      answer: { status: number; json: () => { code: unknown; message: unknown } },
      status: number,
      code: string,
    ) => {
      assert.equal(answer.status, status);
      assert.deepEqual(Object.keys(answer.json()).sort(), ['code', 'message']);
      assert.equal(answer.json().code, code);
    };
    expectShape(await call(server, 'GET', '/v1/nope', { token: server.adminToken }), 404, 'ROUTE_NOT_FOUND');
    expectShape(await call(server, 'GET', '/nope'), 404, 'ROUTE_NOT_FOUND');
    expectShape(
      await call(server, 'POST', '/v1/workflows', {
        token: server.adminToken,
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      }),
      400,
      'INVALID_JSON',
    );
    expectShape(
      await call(server, 'POST', '/v1/workflows', {
        token: server.adminToken,
        headers: { 'content-type': 'application/xml' },
        body: '<workflow/>',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectShape(await call(server, 'GET', '/v1/workflows/%E0%A4%A', { token: server.adminToken }), 400, 'INVALID_URL');
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () =>
        socket.write('NOT HTTP AT ALL\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('close', () => resolve(received));
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(raw.split('\r\n\r\n')[1]).code, 'BAD_REQUEST');
  });
});

describe('security: --metrics-public and rate limits', { timeout: 60_000 }, () => {
  test('--metrics-public serves /metrics without a token', async () => {
    const server = await startControlPlaneProcess({ args: ['--metrics-public'] });
    try {
      assert.equal((await call(server, 'GET', '/metrics')).status, 200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('past its rate limit a token gets 429 with Retry-After; other tokens and probes are unaffected', async () => {
    const server = await startControlPlaneProcess({ args: ['--rate-limit', '10/1m'] });
    try {
      const busy = await workflowWithRobot(server, 'busy');
      const quiet = await workflowWithRobot(server, 'quiet');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await call(server, 'GET', '/v1/whoami', { token: busy.token })).status);
      assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429]);
      const limited = await call(server, 'GET', '/v1/whoami', { token: busy.token });
      assert.equal(limited.status, 429);
      assert.equal(limited.json().code, 'RATE_LIMITED');
      assert.match(limited.json().message, /allows 10 per 60s; retry after .*raise --rate-limit/);
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
      assert.equal((await call(server, 'GET', '/v1/whoami', { token: quiet.token })).status, 200);
      for (let i = 0; i < 10; i++) assert.equal((await call(server, 'GET', '/healthz')).status, 200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});

describe('security: plain HTTP off loopback', { timeout: 30_000 }, () => {
  test('listening on a non-loopback address without TLS prints a warning', () => {
    // In a network namespace of its own (unshare -n) nothing outside can reach 0.0.0.0; the process exits on its
    // own once it has started, so the warning is all there is to see.
    const dataDir = makeTempDir();
    try {
      const result = spawnSync(
        'unshare',
        [
          '-n',
          'timeout',
          '-s',
          'TERM',
          '4',
          process.execPath,
          controlPlaneBin,
          'start',
          '--listen',
          '0.0.0.0:8000',
          '--data-dir',
          dataDir,
        ],
        { encoding: 'utf8', env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: 'cl_admin_unshare-test-token-xxxx' } },
      );
      assert.match(
        result.stderr,
        /INF control plane listening on http:\/\/0\.0\.0\.0:8000/,
        result.stderr + (result.error ?? ''),
      );
      assert.match(
        result.stderr,
        /WRN listening on 0\.0\.0\.0 without TLS: tokens and attestations cross the network in clear text; pass --tls-cert and --tls-key/,
      );
      const loopback = spawnSync(
        'unshare',
        [
          '-n',
          'sh',
          '-c',
          `ip link set lo up; timeout -s TERM 4 "${process.execPath}" "${controlPlaneBin}" start --listen 127.0.0.1:8000 --data-dir "${dataDir}"`,
        ],
        { encoding: 'utf8', env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: 'cl_admin_unshare-test-token-xxxx' } },
      );
      assert.match(loopback.stderr, /listening on http:\/\/127\.0\.0\.1:8000/, loopback.stderr);
      assert.doesNotMatch(loopback.stderr, /without TLS/);
    } finally {
      removeDir(dataDir);
    }
  });
});
