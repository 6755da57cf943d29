import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CAS_BACKENDS, type CasStoreUnderTest } from '../helpers/cas-backends';
import {
  type ControlPlaneProcess,
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const octets = { 'content-type': 'application/octet-stream' };

for (const backend of CAS_BACKENDS)
  describe(`CAS (${backend.name})`, () => {
    let server: ControlPlaneProcess;
    let store: CasStoreUnderTest;
    let crafting: Awaited<ReturnType<typeof workflowWithRobot>>;
    const workDir = makeTempDir('cas-files-');
    /** Every committed blob of the store, and what is left of uploads (temp files, upload sessions). */
    const casFiles = (dataDir: string) => ({ blobs: store.blobs(dataDir), temp: store.leftovers(dataDir) });

    before(async () => {
      store = await backend.start();
      server = await startControlPlaneProcess({ args: ['--max-blob-size', '8MiB', ...store.args] });
      crafting = await workflowWithRobot(server, 'build-and-test');
    });
    after(async () => {
      await server?.stop();
      await store?.stop();
      removeDir(server?.dataDir ?? '');
      removeDir(workDir);
    });

    test('PUT with the wrong digest gets 400 DIGEST_MISMATCH and nothing is kept', async () => {
      const before = casFiles(server.dataDir).blobs.length;
      const body = 'the real bytes';
      const claimed = sha256('other bytes');
      const response = await call(server, 'PUT', `/v1/cas/${claimed}`, {
        token: crafting.token,
        body,
        headers: octets,
      });
      assert.equal(response.status, 400);
      assert.equal(response.json().code, 'DIGEST_MISMATCH');
      assert.equal(await crafting.robot.hasBlob(claimed), false);
      assert.equal(await crafting.robot.hasBlob(sha256(body)), false);
      const after = casFiles(server.dataDir);
      assert.equal(after.blobs.length, before);
      assert.deepEqual(after.temp, []);
    });

    test('PUT then GET streams the bytes back with Content-Length; HEAD answers existence', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const digest = sha256(data);
      const put = await call(server, 'PUT', `/v1/cas/${digest}`, {
        token: crafting.token,
        body: data,
        headers: octets,
      });
      assert.equal(put.status, 201);
      assert.deepEqual(put.json(), { digest, size: data.length });

      const response = await fetch(`${server.url}/v1/cas/${digest}`, {
        headers: { authorization: `Bearer ${crafting.token}` },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-length'), String(data.length));
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(data));

      const head = await call(server, 'HEAD', `/v1/cas/${digest}`, { token: crafting.token });
      assert.equal(head.status, 200);
      assert.equal((await call(server, 'HEAD', `/v1/cas/${sha256('absent')}`, { token: crafting.token })).status, 404);
      assert.equal((await call(server, 'GET', '/v1/cas/sha256:XYZ', { token: crafting.token })).status, 400);
    });

    test('the same blob uploaded by 20 concurrent clients: all succeed, one blob is stored', async () => {
      const data = randomBytes(2 * 1024 * 1024);
      const digest = sha256(data);
      const path = join(workDir, 'shared.bin');
      writeFileSync(path, data);
      const uploads = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? crafting.robot.uploadBlob(digest, path) : crafting.robot.uploadFileOnePass(path),
      );
      const results = await Promise.all(uploads);
      for (const result of results) assert.deepEqual(result, { digest, size: data.length });
      const files = casFiles(server.dataDir);
      assert.equal(files.blobs.filter((name) => name === digest.slice(7)).length, 1);
      assert.deepEqual(files.temp, []);
      const download = join(workDir, 'shared.out');
      await crafting.robot.downloadBlob(digest, download);
      assert.ok(readFileSync(download).equals(data));
    });

    test('a blob over --max-blob-size gets 413 whether or not the size was announced, and nothing is kept', async () => {
      const data = randomBytes(9 * 1024 * 1024);
      const path = join(workDir, 'big.bin');
      writeFileSync(path, data);
      await assert.rejects(crafting.robot.uploadBlob(sha256(data), path), { code: 'BLOB_TOO_LARGE', status: 413 });
      // Chunked (no Content-Length): the limit is enforced while streaming.
      async function* chunks() {
        for (let offset = 0; offset < data.length; offset += 1024 * 1024)
          yield data.subarray(offset, offset + 1024 * 1024);
      }
      const response = await fetch(`${server.url}/v1/cas/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${crafting.token}`, ...octets },
        body: chunks() as unknown as RequestInit['body'],
        duplex: 'half',
      } as RequestInit);
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { code: string }).code, 'BLOB_TOO_LARGE');
      assert.equal(await server.admin().hasBlob(sha256(data)), false);
      assert.deepEqual(casFiles(server.dataDir).temp, []);
    });

    test('uploadFileOnePass hashes locally while the server hashes, and reports progress', async () => {
      const data = randomBytes(5 * 1024 * 1024 + 3);
      const path = join(workDir, 'one-pass.bin');
      writeFileSync(path, data);
      const progress: number[] = [];
      const result = await crafting.robot.uploadFileOnePass(path, { onProgress: (bytes) => progress.push(bytes) });
      assert.deepEqual(result, { digest: sha256(data), size: data.length });
      assert.equal(progress.at(-1), data.length);
      assert.ok(progress.length >= 5, 'reads of about 1 MiB each');
    });

    test('/metrics counts requests by route and status and the CAS bytes in and out', async () => {
      const response = await call(server, 'GET', '/metrics', { token: server.adminToken });
      assert.equal(response.status, 200);
      assert.match(
        response.text,
        /chainloop_http_requests_total\{method="PUT",route="\/v1\/cas\/:digest",status="201"\} \d+/,
      );
      assert.match(
        response.text,
        /chainloop_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/v1\/cas\/:digest"\}/,
      );
      const bytesIn = Number(/chainloop_cas_bytes_received_total (\d+)/.exec(response.text)?.[1]);
      const bytesOut = Number(/chainloop_cas_bytes_sent_total (\d+)/.exec(response.text)?.[1]);
      assert.ok(bytesIn >= 5 * 1024 * 1024, `bytes in ${bytesIn}`);
      assert.ok(bytesOut >= 2 * 1024 * 1024, `bytes out ${bytesOut}`);
      assert.doesNotMatch(response.text, /sha256:[a-f0-9]{64}/);
    });

    test('/healthz and /readyz answer without a token', async () => {
      assert.deepEqual((await call(server, 'GET', '/healthz')).json(), { status: 'ok' });
      assert.deepEqual((await call(server, 'GET', '/readyz')).json(), { status: 'ready' });
    });
  });
