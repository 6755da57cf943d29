import '../hang-guard';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { ControlPlaneClient, ControlPlaneUnreachableError } from '@chainloop-ts/core/client';
import { ControlPlaneTransport, retryAfterMs } from '../../src/client/transport';
import { closedPort, startScriptedServer } from './helpers/control-plane';

describe('retryAfterMs: the Retry-After header of a 429', { timeout: 10_000 }, () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  test('delay-seconds', () => {
    assert.equal(retryAfterMs('0', now), 0);
    assert.equal(retryAfterMs('2', now), 2000);
    assert.equal(retryAfterMs(' 120 ', now), 120_000);
  });

  test('an HTTP date: the time left until then, never negative', () => {
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 12:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 11:59:00 GMT', now), 0);
  });

  test('absent or malformed: undefined', () => {
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('', now), undefined);
    assert.equal(retryAfterMs('-3', now), undefined);
    assert.equal(retryAfterMs('1.5', now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
  });
});

const rateLimited = (retryAfter: string | undefined) => {
  const body = JSON.stringify({ code: 'RATE_LIMITED', message: 'too many requests with this token' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return { body, headers };
};

describe('429 answers', { timeout: 30_000 }, () => {
  test('waits for Retry-After and sends again, also a non-idempotent POST; each wait is reported', async () => {
    let calls = 0;
    const server = await startScriptedServer((request, response) => {
      request.resume();
      calls++;
      if (calls <= 2) {
        const { body, headers } = rateLimited('1');
        response.writeHead(429, headers).end(body);
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'r1' }));
    });
    try {
      const waits: string[] = [];
      const transport = new ControlPlaneTransport({
        baseUrl: server.url,
        token: 't',
        onRateLimited: (message) => waits.push(message),
      });
      const begun = Date.now();
      const run = await transport.json<{ id: string }>('POST', '/v1/crafting/runs', { json: {}, idempotent: false });
      assert.deepEqual(run, { id: 'r1' });
      assert.ok(Date.now() - begun >= 1900, 'waited twice for Retry-After: 1');
      assert.deepEqual(server.requests, Array(3).fill('POST /v1/crafting/runs'));
      assert.equal(waits.length, 2);
      assert.match(waits[0], /^control plane rate limit reached \(429\), retrying in 1 s/);
    } finally {
      await server.stop();
    }
  });

  test('gives up after 5 waits with one line naming the rate limit and the fix', async () => {
    const server = await startScriptedServer((request, response) => {
      request.resume();
      const { body, headers } = rateLimited('0');
      response.writeHead(429, headers).end(body);
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: server.url, token: 't' });
      const error = await client.getRun('r').catch((caught: unknown) => caught);
      assert.ok(error instanceof ChainloopError);
      assert.equal(error.code, 'RATE_LIMITED');
      assert.equal(server.requests.length, 6, 'the first request and 5 more after waiting');
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, /rate limit/);
      assert.match(error.message, /--rate-limit/);
    } finally {
      await server.stop();
    }
  });

  test('a Retry-After past the cap (60 s) is not waited for: one line at once', async () => {
    const server = await startScriptedServer((request, response) => {
      request.resume();
      const { body, headers } = rateLimited('3600');
      response.writeHead(429, headers).end(body);
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: server.url, token: 't' });
      const begun = Date.now();
      await assert.rejects(client.whoami(), { code: 'RATE_LIMITED', message: /retry after 3600 s.*--rate-limit/ });
      assert.ok(Date.now() - begun < 5000);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.stop();
    }
  });
});

describe('whether a failed call may have reached the control plane', { timeout: 30_000 }, () => {
  test('connection refused on every attempt: it cannot have', async () => {
    const client = new ControlPlaneClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      token: 't',
      retryDelayMs: 1,
    });
    const error = await client.storeAttestation('r', '{}').catch((caught: unknown) => caught);
    assert.ok(error instanceof ControlPlaneUnreachableError);
    assert.equal(error.requestMayHaveArrived, false);
  });

  test('a connection closed after the request was sent: it may have', async () => {
    let calls = 0;
    const server = await startScriptedServer((request) => {
      calls++;
      request.resume();
      request.on('end', () => request.socket.destroy());
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: server.url, token: 't', retries: 1, retryDelayMs: 1 });
      const error = await client.storeAttestation('r', '{}').catch((caught: unknown) => caught);
      assert.ok(error instanceof ControlPlaneUnreachableError);
      assert.equal(error.code, 'CONTROL_PLANE_UNREACHABLE');
      assert.equal(error.requestMayHaveArrived, true);
      assert.equal(calls, 2);
    } finally {
      await server.stop();
    }
  });
});

describe('a refused connection (nothing listening at the URL)', { timeout: 30_000 }, () => {
  /** TCP connections opened while `call` runs, as Node reports them (diagnostics channel net.client.socket). */
  async function connectionsDuring(call: () => Promise<unknown>): Promise<{ connections: number; error: unknown }> {
    let connections = 0;
    const count = () => connections++;
    subscribe('net.client.socket', count);
    try {
      const error = await call().catch((caught: unknown) => caught);
      return { connections, error };
    } finally {
      unsubscribe('net.client.socket', count);
    }
  }

  test('is retried by default (a push rides out a control plane restart)', async () => {
    const client = new ControlPlaneClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      token: 't',
      retryDelayMs: 1,
    });
    const { connections, error } = await connectionsDuring(() => client.listWorkflows());
    assert.ok(error instanceof ControlPlaneUnreachableError);
    assert.equal(connections, 4, 'the first attempt and three retries');
  });

  test('with retryRefused: false, fails on the first attempt with the same one-line error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = new ControlPlaneClient({ baseUrl: url, token: 't', retryDelayMs: 1, retryRefused: false });
    const { connections, error } = await connectionsDuring(() => client.listWorkflows());
    assert.ok(error instanceof ControlPlaneUnreachableError);
    assert.equal(error.requestMayHaveArrived, false);
    assert.equal(
      error.message,
      `cannot reach the control plane at ${url} (connection refused): check --control-plane / CHAINLOOP_CONTROL_PLANE_API and that it is running`,
    );
    assert.equal(connections, 1, 'no retries');
  });

  test('with retryRefused: false, other connection failures are still retried', async () => {
    let calls = 0;
    const server = await startScriptedServer((request) => {
      calls++;
      request.socket.destroy();
    });
    try {
      const client = new ControlPlaneClient({ baseUrl: server.url, token: 't', retryDelayMs: 1, retryRefused: false });
      await assert.rejects(client.listWorkflows(), { code: 'CONTROL_PLANE_UNREACHABLE' });
      assert.equal(calls, 4, 'a reset connection is retried as before');
    } finally {
      await server.stop();
    }
  });
});
