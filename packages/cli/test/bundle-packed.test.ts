/**
 * Packages only some commands use (tar, yauzl, dockerode, @peculiar/x509) travel packed inside the bundle and are
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
  const statePath = join(dir, `${name}.state.json`);
  writeDryRunState(statePath);
  const result = spawnSync(
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
  assert.equal(result.status, 0, `${kind} ${value}: ${result.stderr}`);
  return JSON.parse(readFileSync(statePath, 'utf8')).materials[name];
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
