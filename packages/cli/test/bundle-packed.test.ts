/**
 * Packages only some commands use (tar, yauzl, dockerode, @peculiar/x509, graphql, fast-xml-parser, the API spec
 * schemas with their ajv) travel packed inside the bundle and are
 * unpacked on first use (packages/cli/build.mjs): each must work from the bundle as it does from the sources.
 * Keyless signing (@peculiar/x509) runs through the bundle in e2e/keyless.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Docker from 'dockerode';
import { buildImage, skopeoCopy, skopeoInspectDigest } from '../../core/test/oci/fixtures/images';
import { startPodmanService } from '../../core/test/oci/fixtures/podman';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
const materials = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'vectors', 'materials');
const dir = mkdtempSync(join(tmpdir(), 'bundle-packed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `attestation add` with the bundled CLI on a fresh dry-run state; returns the added material as the state has it. */
function addWithBundle(name: string, kind: string, value: string, env: NodeJS.ProcessEnv = {}) {
  const result = runAddWithBundle(name, kind, value, env);
  assert.equal(result.status, 0, `${kind} ${value}: ${result.stderr}`);
  return JSON.parse(readFileSync(join(dir, `${name}.state.json`), 'utf8')).materials[name];
}

/** The same, answering the finished process, whatever its exit code. */
function runAddWithBundle(name: string, kind: string, value: string, env: NodeJS.ProcessEnv = {}) {
  const statePath = join(dir, `${name}.state.json`);
  writeDryRunState(statePath);
  return spawnSync(
    process.execPath,
    [bundle, 'attestation', 'add', '--name', name, '--kind', kind, '--value', value, '--local-state-path', statePath],
    // A fresh cache dir: the first run compiles the packed code and writes its cache, the second uses it.
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    },
  );
}

test('a Helm chart (tar) and a zip of JUnit reports (yauzl) are read from the bundle, first run and cached', {
  timeout: 120_000,
}, () => {
  for (const run of ['first', 'cached']) {
    const chart = addWithBundle('chart', 'HELM_CHART', join(materials, 'valid-chart.tgz'));
    assert.equal(chart.kind, 'HELM_CHART', run);
    const reports = addWithBundle('tests', 'JUNIT_XML', join(materials, 'tests.zip'));
    assert.equal(reports.kind, 'JUNIT_XML', run);
  }
});

test('GraphQL, OpenAPI and AsyncAPI documents and a JUnit report are checked from the bundle, valid and invalid', {
  timeout: 120_000,
}, () => {
  const specs = join(materials, 'chainloop');
  for (const run of ['first', 'cached']) {
    for (const [kind, valid, invalid] of [
      ['GRAPHQL_SPEC', 'schema.graphql', 'invalid.graphql'],
      ['OPENAPI_SPEC', 'openapi-3.1.yaml', 'openapi-invalid.json'],
      ['ASYNCAPI_SPEC', 'asyncapi-2.6.json', 'asyncapi-invalid.json'],
    ]) {
      assert.equal(addWithBundle('spec', kind, join(specs, valid)).kind, kind, `${run} ${valid}`);
      const refused = runAddWithBundle('spec', kind, join(specs, invalid));
      assert.equal(refused.status, 1, `${run} ${invalid}: ${refused.stderr}`);
      assert.match(refused.stderr, /^ERR /m, `${run} ${invalid}`);
    }
    assert.equal(addWithBundle('junit', 'JUNIT_XML', join(materials, 'junit.xml')).kind, 'JUNIT_XML', run);
    assert.notEqual(runAddWithBundle('junit', 'JUNIT_XML', join(materials, 'junit-invalid.xml')).status, 0, run);
  }
});

test('an image only in the local engine (dockerode) resolves from the bundle', { timeout: 180_000 }, async () => {
  const podman = await startPodmanService();
  try {
    const layout = join(dir, 'layout');
    await buildImage(layout, 'v1', 'only in the local engine, bundle test');
    const archive = join(dir, 'local.tar');
    await skopeoCopy(`oci:${layout}:v1`, `oci-archive:${archive}:localhost/bundled-app:v1`);
    const expected = await skopeoInspectDigest(`oci-archive:${archive}`);
    const engine = new Docker({ socketPath: podman.socketPath });
    const stream = await engine.loadImage(createReadStream(archive));
    await new Promise<void>((resolve, reject) =>
      engine.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
    );
    const image = addWithBundle('image', 'CONTAINER_IMAGE', 'docker-daemon:localhost/bundled-app:v1', {
      DOCKER_HOST: podman.dockerHost,
    });
    assert.equal(image.kind, 'CONTAINER_IMAGE');
    assert.equal(image.digest, expected);
  } finally {
    await podman.stop();
  }
});
