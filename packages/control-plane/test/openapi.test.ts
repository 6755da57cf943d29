import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultConfig } from '../src/config';
import { startControlPlane } from '../src/index';
import { makeTempDir, removeDir } from './helpers/control-plane-process';

let running: Awaited<ReturnType<typeof startControlPlane>>;
const dataDir = makeTempDir('cp-openapi-');

before(async () => {
  running = await startControlPlane(defaultConfig({ port: 0, dataDir, adminToken: 'cl_admin_openapi-test-token' }));
});
after(async () => {
  await running.close();
  removeDir(dataDir);
});

test('/v1/openapi.json documents exactly the routes the server registers', async () => {
  const response = await fetch(`${running.url}/v1/openapi.json`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.match(document.openapi, /^3\./);
  const documented = Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
  assert.deepEqual(documented, [...running.routes].sort());
  assert.ok(documented.includes('PUT /v1/cas/:digest'));
  assert.ok(documented.includes('POST /v1/cas/uploads'));
});

test('every documented operation has a summary and documents its error answers', async () => {
  const document = (await (await fetch(`${running.url}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>>;
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      assert.ok(operation.summary, `${method} ${path} has no summary`);
      if (
        path.startsWith('/v1/') &&
        path !== '/v1/openapi.json' &&
        !path.startsWith('/v1/downloads/') &&
        method !== 'head'
      ) {
        assert.ok(operation.responses['401'], `${method} ${path} does not document 401`);
      }
    }
  }
});
