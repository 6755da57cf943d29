import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { loadSigningKey, type Signer } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { type CraftingContext, LocalStateStore, pushAttestation } from '@chainloop-ts/core/crafter';
import { closedPort, startScriptedServer } from '../client/helpers/control-plane';
import { seedState } from './state-fixture';

const workDir = mkdtempSync(join(tmpdir(), 'push-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const keyPath = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signingKey = () =>
  loadSigningKey(join(keyPath, 'generated__p256_N65536.key'), { password: 'correct horse battery staple' });
const RUN_ID = seedState().workflow.runId as string;
const ATTESTATION_PATH = `/v1/runs/${RUN_ID}/attestation`;

/** A complete attestation in progress (a contract without required materials) in a fresh local state file. */
async function freshStore(name: string, overrides: Parameters<typeof seedState>[0] = {}) {
  const store = new LocalStateStore(join(workDir, `${name}.json`));
  const base = seedState();
  await store.create(seedState({ contract: { ...base.contract, materials: [] }, ...overrides }));
  return store;
}

function context(url: string, logs: string[] = []): CraftingContext {
  return {
    env: {},
    cwd: workDir,
    log: { info: (line) => logs.push(`INF ${line}`), warn: (line) => logs.push(`WRN ${line}`) },
    // No transport retries: each push attempt is one request.
    client: new ControlPlaneClient({ baseUrl: url, token: 't', retries: 0 }),
  };
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
  });
}

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const statementOf = (bundle: string) =>
  JSON.parse(Buffer.from(JSON.parse(bundle).dsseEnvelope.payload, 'base64').toString('utf8'));
const json = (response: http.ServerResponse, status: number, value: unknown) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const neverSigns = async (): Promise<Signer> => {
  throw new Error('must not sign');
};

describe('pushAttestation', { timeout: 60_000 }, () => {
  test('the happy path makes one request (the store) and leaves no pending record', async () => {
    const server = await startScriptedServer(async (request, response) => {
      const bundle = JSON.parse(await readBody(request)).bundle;
      json(response, 201, { digest: digestOf(bundle) });
    });
    try {
      const store = await freshStore('happy');
      const result = await pushAttestation(context(server.url), store, { signer: signingKey, annotations: {} });
      assert.equal(result.digest, digestOf(result.bundleJson));
      assert.equal(result.alreadyStored, undefined);
      assert.deepEqual(server.requests, [`POST ${ATTESTATION_PATH}`]);
      assert.equal(await store.read(), undefined);
    } finally {
      await server.stop();
    }
  });

  test("a lost answer records the statement's finishedAt; the next push finds it stored and signs nothing", async () => {
    let storedBundle = '';
    let phase: 'drop' | 'attested' = 'drop';
    const server = await startScriptedServer(async (request, response) => {
      if (phase === 'drop') {
        storedBundle ||= JSON.parse(await readBody(request)).bundle;
        request.socket.destroy();
        return;
      }
      if (request.url === `/v1/runs/${RUN_ID}`) {
        json(response, 200, { id: RUN_ID, status: 'succeeded', attestationDigest: digestOf(storedBundle) });
      } else if (request.url === `/v1/attestations/${RUN_ID}`) {
        json(response, 200, { digest: digestOf(storedBundle), runId: RUN_ID, bundle: storedBundle });
      } else {
        json(response, 500, { code: 'INTERNAL', message: `unexpected ${request.method} ${request.url}` });
      }
    });
    try {
      const store = await freshStore('lost');
      const logs: string[] = [];
      const failed = await pushAttestation(context(server.url, logs), store, {
        signer: signingKey,
        annotations: {},
        retryDelaysMs: [1, 1],
      }).catch((error: unknown) => error);
      assert.ok(failed instanceof ChainloopError);
      assert.equal(failed.code, 'CONTROL_PLANE_UNREACHABLE');
      assert.match(failed.message, /the attestation state is kept/);
      assert.equal(logs.filter((line) => line.startsWith('WRN control plane not reachable')).length, 2);
      assert.deepEqual(server.requests, Array(3).fill(`POST ${ATTESTATION_PATH}`));
      const kept = await store.read();
      assert.equal(kept?.pendingPush?.finishedAt, statementOf(storedBundle).predicate.metadata.finishedAt);

      phase = 'attested';
      server.requests.length = 0;
      const result = await pushAttestation(context(server.url, logs), store, {
        signer: neverSigns,
        annotations: {},
        bundlePath: 'again.bundle.json',
      });
      assert.equal(result.alreadyStored, true);
      assert.equal(result.digest, digestOf(storedBundle));
      assert.equal(result.bundleJson, storedBundle);
      assert.equal(result.envelope.payload, JSON.parse(storedBundle).dsseEnvelope.payload);
      assert.deepEqual(server.requests, [`GET /v1/runs/${RUN_ID}`, `GET /v1/attestations/${RUN_ID}`]);
      assert.match(logs.at(-1) ?? '', /^INF the control plane already had this attestation .*answer .* was lost/);
      assert.equal(await store.read(), undefined);
      assert.ok(existsSync(join(workDir, 'again.bundle.json')));
    } finally {
      await server.stop();
    }
  });

  test('a control plane that refuses connections cannot have stored anything: the state is left as it was', async () => {
    const store = await freshStore('refused');
    const before = readFileSync(store.path, 'utf8');
    await assert.rejects(
      pushAttestation(context(`http://127.0.0.1:${await closedPort()}`), store, {
        signer: signingKey,
        annotations: {},
        retryDelaysMs: [1],
      }),
      { code: 'CONTROL_PLANE_UNREACHABLE', message: /connection refused.*the attestation state is kept/ },
    );
    assert.equal(readFileSync(store.path, 'utf8'), before);
  });

  test('a pending push whose run is still open signs and stores the same statement as usual', async () => {
    let pushed = '';
    const server = await startScriptedServer(async (request, response) => {
      if (request.method === 'GET') return json(response, 200, { id: RUN_ID, status: 'initialized' });
      pushed = JSON.parse(await readBody(request)).bundle;
      json(response, 201, { digest: digestOf(pushed) });
    });
    try {
      const finishedAt = '2022-11-02T10:09:00.000Z';
      const store = await freshStore('open', { pendingPush: { finishedAt } });
      const result = await pushAttestation(context(server.url), store, { signer: signingKey, annotations: {} });
      assert.equal(result.alreadyStored, undefined);
      assert.equal(result.digest, digestOf(pushed));
      assert.equal(statementOf(pushed).predicate.metadata.finishedAt, finishedAt);
      assert.deepEqual(server.requests, [`GET /v1/runs/${RUN_ID}`, `POST ${ATTESTATION_PATH}`]);
    } finally {
      await server.stop();
    }
  });

  test('a pending push whose run holds another statement is refused with 409 before signing; the state is kept', async () => {
    const server = await startScriptedServer((request, response) => {
      if (request.url === `/v1/runs/${RUN_ID}`) return json(response, 200, { id: RUN_ID, status: 'succeeded' });
      const other = JSON.stringify({ dsseEnvelope: { payloadType: 'x', payload: 'e30=', signatures: [] } });
      json(response, 200, { digest: digestOf(other), runId: RUN_ID, bundle: other });
    });
    try {
      const store = await freshStore('changed', { pendingPush: { finishedAt: '2022-11-02T10:09:00.000Z' } });
      await assert.rejects(pushAttestation(context(server.url), store, { signer: neverSigns, annotations: {} }), {
        code: 'RUN_ALREADY_ATTESTED',
        message: new RegExp(`^workflow run ${RUN_ID} already has attestation sha256:[0-9a-f]{64}: .*start a new run`),
      });
      assert.ok(await store.read());
    } finally {
      await server.stop();
    }
  });

  test('a signer that cannot reach the control plane (keyless) is retried with the push delays', async () => {
    const server = await startScriptedServer(async (request, response) => {
      json(response, 201, { digest: digestOf(JSON.parse(await readBody(request)).bundle) });
    });
    try {
      const store = await freshStore('signer');
      const logs: string[] = [];
      let calls = 0;
      const flaky = async () => {
        calls++;
        if (calls < 3) throw new ChainloopError('CONTROL_PLANE_UNREACHABLE', 'cannot reach the control plane');
        return signingKey();
      };
      const result = await pushAttestation(context(server.url, logs), store, {
        signer: flaky,
        annotations: {},
        retryDelaysMs: [1, 1, 1],
      });
      assert.equal(calls, 3);
      assert.ok(result.digest);
      assert.deepEqual(logs, [
        'WRN control plane not reachable, retrying push in 1 ms',
        'WRN control plane not reachable, retrying push in 1 ms',
      ]);

      const stuck = await freshStore('signer-down');
      await assert.rejects(
        pushAttestation(context(server.url), stuck, {
          signer: async () => {
            throw new ChainloopError('CONTROL_PLANE_UNREACHABLE', 'cannot reach the control plane');
          },
          annotations: {},
          retryDelaysMs: [1],
        }),
        { code: 'CONTROL_PLANE_UNREACHABLE', message: /the attestation state is kept/ },
      );
      assert.equal((await stuck.read())?.pendingPush, undefined, 'nothing was sent: nothing pending');
    } finally {
      await server.stop();
    }
  });
});
