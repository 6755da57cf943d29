// The floor of §5's control-plane CPU: a bare node:http server (no framework, no storage, no hashing, no signature
// check) that takes the six requests of one crafting cycle and answers each with the control plane's own answer,
// recorded from it. Plain JavaScript so it runs with `node` alone, as the control plane's bin does: its CPU is the
// cost of HTTP in Node on this machine, which any control plane written in Node pays per request.
//
// argv[2]: a JSON file { token, contract, run, blobRef, stored } (the recorded answers). Prints {"port":N} when ready.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const answers = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const body = (value) => Buffer.from(JSON.stringify(value));
const contract = body(answers.contract);
const run = body(answers.run);
const blobRef = body(answers.blobRef);
const stored = body(answers.stored);
const authorization = `Bearer ${answers.token}`;
/** Digests "uploaded" so far: HEAD answers 200 for them, 404 otherwise, as the CAS does. */
const known = new Set([answers.knownDigest]);

const server = createServer({ keepAliveTimeout: 72_000 }, (request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const send = (status, payload) => {
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': payload ? payload.length : 0,
      });
      response.end(payload);
    };
    if (request.headers.authorization !== authorization) return send(401, body({ code: 'UNAUTHENTICATED' }));
    const path = request.url ?? '';
    if (request.method === 'GET' && path.startsWith('/v1/crafting/contract')) return send(200, contract);
    if (request.method === 'POST' && path === '/v1/crafting/runs') return send(201, run);
    if (path.startsWith('/v1/cas/')) {
      const digest = decodeURIComponent(path.slice('/v1/cas/'.length));
      if (request.method === 'HEAD') return send(known.has(digest) ? 200 : 404);
      if (request.method === 'PUT') {
        known.add(digest);
        return send(201, blobRef);
      }
    }
    if (request.method === 'POST' && path.endsWith('/attestation')) return send(201, stored);
    send(404, body({ code: 'NOT_FOUND' }));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
