import '../hang-guard';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { connectionErrorCode, httpRequest } from '@chainloop-ts/core/http';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on loopback that records every request and answers with `handler`. */
async function serve(
  handler: (request: IncomingMessage, response: ServerResponse, body: string) => void,
  setup?: (server: http.Server) => void,
) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handler(request, response, body);
    });
  });
  setup?.(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  after(stop);
  return { url, seen, server };
}

describe('httpRequest', () => {
  test('answers with status, case-insensitive headers and a body read once as bytes, text or JSON', async () => {
    const { url, seen } = await serve((_request, response, body) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' });
      response.end(JSON.stringify({ got: body }));
    });
    const response = await httpRequest(`${url}/things?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
      body: 'hello',
    });
    assert.equal(response.status, 201);
    assert.equal(response.ok, true);
    assert.equal(response.header('X-Echo'), 'yes');
    assert.deepEqual(await response.json(), { got: 'hello' });
    assert.equal(await response.text(), '{"got":"hello"}', 'a second read returns the same bytes');
    assert.equal(seen[0].url, '/things?x=1');
    assert.equal(seen[0].headers.authorization, 'Bearer t');
  });

  test('follows redirects, keeping Authorization on the same origin only; a 303 after POST becomes a GET', async () => {
    const other = await serve((_request, response) => response.end('elsewhere'));
    const { url, seen } = await serve((request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: '/here' }).end();
      else if (request.url === '/away') response.writeHead(307, { location: `${other.url}/there` }).end();
      else if (request.url === '/post') response.writeHead(303, { location: '/here' }).end();
      else response.end(`at ${request.method} ${request.url}`);
    });
    const headers = { authorization: 'Bearer secret' };
    const same = await httpRequest(`${url}/moved`, { method: 'GET', headers });
    assert.equal(await same.text(), 'at GET /here');
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer secret');

    const away = await httpRequest(`${url}/away`, { method: 'GET', headers });
    assert.equal(await away.text(), 'elsewhere');
    assert.equal(away.url, `${other.url}/there`);
    assert.equal(other.seen[0].headers.authorization, undefined, 'the token never reaches another origin');

    const posted = await httpRequest(`${url}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(await posted.text(), 'at GET /here');
    assert.equal(seen.at(-1)?.body, '');
    assert.equal(seen.at(-1)?.headers['content-type'], undefined);
  });

  test('a redirect loop ends at the limit with the 3xx itself', async () => {
    const { url, seen } = await serve((_request, response) => response.writeHead(302, { location: '/again' }).end());
    const response = await httpRequest(`${url}/start`, { method: 'GET', maxRedirects: 3 });
    assert.equal(response.status, 302);
    assert.equal(seen.length, 4);
  });

  test('a streamed body asks first with Expect: 100-continue, so a refusal costs no upload', async () => {
    let bodyBytes = 0;
    const { url } = await serve(
      () => {},
      (server) => {
        server.on('checkContinue', (request, response) => {
          request.on('data', (chunk: Buffer) => {
            bodyBytes += chunk.length;
          });
          response.writeHead(413, { 'content-type': 'application/json' }).end('{"code":"BLOB_TOO_LARGE"}');
        });
      },
    );
    const response = await httpRequest(`${url}/v1/cas/uploads`, {
      method: 'POST',
      headers: { 'content-length': String(1024 * 1024) },
      body: () => Readable.from([Buffer.alloc(1024 * 1024)]),
      expectContinue: true,
    });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { code: 'BLOB_TOO_LARGE' });
    assert.equal(bodyBytes, 0);
  });

  test('a server that never answers fails with ETIMEDOUT at the deadline', async () => {
    const { url, seen } = await serve(() => {
      // Never answers.
    });
    // Without a working deadline this would wait forever (and the hang guard fails the file).
    await assert.rejects(httpRequest(`${url}/slow`, { method: 'GET', timeoutMs: 150 }), (error: Error) => {
      assert.equal(connectionErrorCode(error), 'ETIMEDOUT');
      assert.equal(error.message, 'no answer in 150 ms', 'the error names the deadline that was given');
      return true;
    });
    assert.deepEqual(
      seen.map((request) => `${request.method} ${request.url}`),
      ['GET /slow'],
      'the request arrived: the deadline is on the answer, not on connecting, and nothing was retried',
    );
  });

  test('a closed port is ECONNREFUSED', async () => {
    const { url, server } = await serve(() => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(httpRequest(url, { method: 'GET' }), (error: Error) => {
      assert.equal(connectionErrorCode(error), 'ECONNREFUSED');
      return true;
    });
  });

  test('a kept-alive connection does not keep the process alive after the last answer', async () => {
    // The server would keep an idle connection a minute: the client process must not wait for that.
    const { url } = await serve(
      (_request, response) => response.end('ok'),
      (server) => {
        server.keepAliveTimeout = 60_000;
      },
    );
    const script = `
      import('@chainloop-ts/core/http').then(async ({ httpRequest }) => {
        const first = await httpRequest(${JSON.stringify(url)}, { method: 'GET', timeoutMs: 30000 });
        await first.text();
        const head = await httpRequest(${JSON.stringify(url)}, { method: 'HEAD', timeoutMs: 30000 });
        process.stdout.write(String(head.status));
      });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill(), 30_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(timer);
    assert.equal(signal, null, `the client was still running after 30 s (held by its idle connection): ${output}`);
    assert.equal(code, 0, output);
    assert.equal(output, '200');
  });
});
