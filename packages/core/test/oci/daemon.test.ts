import '../hang-guard';
// Images only in a local engine: dockerode against a real podman API service on a unix socket, images loaded from
// OCI archives made by skopeo; the expected digest is what skopeo reports for the archive.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { findDaemonEndpoint } from '../../src/oci/daemon';
import { resolveContainerImage } from '../../src/oci/resolve';
import { makeDockerConfig, type TempDockerConfig } from './fixtures/docker-config';
import { buildImage, skopeoCopy, skopeoInspectDigest } from './fixtures/images';
import { type RunningPodman, startPodmanService } from './fixtures/podman';
import { type RunningRegistry, startRegistry } from './fixtures/registry';

/** Loads an OCI archive into the engine through the Docker API (POST /images/load), as `docker load` does. */
async function loadArchive(docker: Docker, archive: string): Promise<void> {
  const stream = await docker.loadImage(createReadStream(archive));
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

describe('images in the local engine (dockerode → podman system service)', () => {
  let podman: RunningPodman;
  let registry: RunningRegistry;
  let docker: TempDockerConfig;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const expected: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chainloop-daemon-test-'));
    [podman, registry] = await Promise.all([startPodmanService(), startRegistry()]);
    const layout = join(dir, 'layout');
    await buildImage(layout, 'v1', 'only in the local engine');
    await buildImage(layout, 'v2', 'also only in the local engine');
    const local = join(dir, 'local.tar');
    const shadow = join(dir, 'shadow.tar');
    await skopeoCopy(`oci:${layout}:v1`, `oci-archive:${local}:localhost/app:v1`);
    await skopeoCopy(`oci:${layout}:v2`, `oci-archive:${shadow}:${registry.host}/daemon-only:v2`);
    expected.local = await skopeoInspectDigest(`oci-archive:${local}`);
    expected.shadow = await skopeoInspectDigest(`oci-archive:${shadow}`);
    const engine = new Docker({ socketPath: podman.socketPath });
    await loadArchive(engine, local);
    await loadArchive(engine, shadow);
    docker = makeDockerConfig(undefined);
    env = { ...docker.env, DOCKER_HOST: podman.dockerHost };
  });
  after(async () => {
    await Promise.all([podman?.stop(), registry?.stop()]);
    docker?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('docker-daemon:<name>: the digest the engine recorded (RepoDigests) comes back', async () => {
    const image = await resolveContainerImage('docker-daemon:localhost/app:v1', { env });
    assert.deepEqual(image, { name: 'localhost/app', digest: expected.local, tag: 'v1', source: 'daemon' });
  });

  it('a name the registry does not know falls back to the engine when DOCKER_HOST is set', async () => {
    const image = await resolveContainerImage(`${registry.host}/daemon-only:v2`, { env });
    assert.deepEqual(image, {
      name: `${registry.host}/daemon-only`,
      digest: expected.shadow,
      tag: 'v2',
      source: 'daemon',
    });
  });

  it('without DOCKER_HOST or a docker socket there is no fallback: the registry 404 stands', async () => {
    await assert.rejects(
      resolveContainerImage(`${registry.host}/daemon-only:v2`, {
        env: docker.env,
        dockerSocketPath: join(dir, 'none.sock'),
      }),
      {
        code: 'IMAGE_NOT_FOUND',
        message: `image ${registry.host}/daemon-only:v2 not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/daemon-only lists the tags)`,
      },
    );
  });

  it('an engine that cannot be reached leaves the registry error as it was', async () => {
    await assert.rejects(
      resolveContainerImage(`${registry.host}/nowhere:v1`, {
        env: { ...docker.env, DOCKER_HOST: `unix://${join(dir, 'none.sock')}` },
      }),
      {
        code: 'IMAGE_NOT_FOUND',
        message: `image ${registry.host}/nowhere:v1 not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/nowhere lists the tags)`,
      },
    );
  });

  it('in neither place: the error names both the registry and the engine', async () => {
    await assert.rejects(resolveContainerImage(`${registry.host}/nowhere:v1`, { env }), {
      code: 'IMAGE_NOT_FOUND',
      message: `image ${registry.host}/nowhere:v1 not found in registry ${registry.host}: check the repository and tag (skopeo list-tags docker://${registry.host}/nowhere lists the tags); it is not in the local container engine at ${podman.dockerHost} either`,
    });
    await assert.rejects(resolveContainerImage('docker-daemon:localhost/app:v9', { env }), {
      code: 'IMAGE_NOT_FOUND',
      message: `image localhost/app:v9 not found in the local container engine at ${podman.dockerHost}: build, pull or load it first`,
    });
  });

  it('docker-daemon: with no engine anywhere says how to provide one', async () => {
    const socket = join(dir, 'none.sock');
    await assert.rejects(
      resolveContainerImage('docker-daemon:localhost/app:v1', { env: docker.env, dockerSocketPath: socket }),
      {
        code: 'DOCKER_DAEMON_UNREACHABLE',
        message: `docker-daemon:localhost/app:v1: no local container engine found (DOCKER_HOST is unset and ${socket} does not exist): start docker or podman, or set DOCKER_HOST`,
      },
    );
    await assert.rejects(
      resolveContainerImage('docker-daemon:localhost/app:v1', {
        env: { ...docker.env, DOCKER_HOST: `unix://${socket}` },
      }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'DOCKER_DAEMON_UNREACHABLE');
        assert.match(
          error.message,
          new RegExp(
            `^local container engine at unix://${socket} did not answer for image localhost/app:v1 \\(ENOENT\\): start the engine or fix DOCKER_HOST$`,
          ),
        );
        return true;
      },
    );
  });

  it('reads DOCKER_HOST as unix:// or tcp://, else the default socket when it exists', () => {
    assert.deepEqual(findDaemonEndpoint({ DOCKER_HOST: 'unix:///run/podman/podman.sock' }), {
      socketPath: '/run/podman/podman.sock',
      label: 'unix:///run/podman/podman.sock',
    });
    assert.deepEqual(findDaemonEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }), {
      protocol: 'http',
      host: '10.0.0.5',
      port: 2375,
      label: 'tcp://10.0.0.5:2375',
    });
    assert.deepEqual(findDaemonEndpoint({}, podman.socketPath), {
      socketPath: podman.socketPath,
      label: `unix://${podman.socketPath}`,
    });
    assert.equal(findDaemonEndpoint({}, join(dir, 'none.sock')), undefined);
    assert.throws(() => findDaemonEndpoint({ DOCKER_HOST: 'ssh://me@host' }), { code: 'DOCKER_HOST_INVALID' });
  });
});
