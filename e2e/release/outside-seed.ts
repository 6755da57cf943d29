/**
 * The seed's whole flow with only the release installed (see support/outside-install.ts), shared by the
 * outside-node<N>.test.ts files: one Node version per file, so each gets the file time limit for its native build.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installRelease, listeningUrl, nodeRuntime, seedInputs } from '../support/outside-install';
import { makeRelease } from '../support/release';

export function outsideSeedTest(major: number): void {
  test(`Node ${major}: npm install -g of the release tarballs, then the seed's flow from an empty directory`, {
    timeout: 540_000,
  }, async () => {
    const release = makeRelease();
    const user = installRelease(release, nodeRuntime(major), ['cli', 'control-plane']);
    const ok = (result: { status: number | null; stdout: string; stderr: string }, what: string) => {
      assert.equal(result.status, 0, `${what} under Node ${major}:\n${result.stderr}${result.stdout}`);
      return result.stdout;
    };
    assert.match(ok(user.run('node', ['--version']), 'node --version'), new RegExp(`^v${major}\\.`));
    assert.equal(ok(user.run('chainloop', ['--version']), 'chainloop --version').trim(), release.version);
    seedInputs(user.work);

    const server = user.start('chainloop', ['control-plane', 'start', '--listen', '127.0.0.1:0', '--data-dir', 'cp']);
    const url = await listeningUrl(server);
    try {
      const admin = {
        CHAINLOOP_CONTROL_PLANE_API: url,
        CHAINLOOP_TOKEN: readFileSync(join(user.work, 'cp', 'admin.token'), 'utf8').trim(),
      };
      ok(
        user.run(
          'chainloop',
          ['workflow', 'create', '--name', 'build-and-test', '--team', 'cyberdyne core', '--project', 'skynet'],
          admin,
        ),
        'workflow create',
      );
      ok(
        user.run(
          'chainloop',
          ['workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', 'contract.yaml'],
          admin,
        ),
        'contract update',
      );
      const robot = JSON.parse(
        ok(
          user.run(
            'chainloop',
            ['workflow', 'robot-account', 'create', '--workflow', 'build-and-test', '-o', 'json'],
            admin,
          ),
          'robot-account create',
        ),
      ) as { token: string };
      const password = { CHAINLOOP_SIGNING_PASSWORD: 'outside the repository' };
      ok(user.run('chainloop', ['keys', 'generate', '--output-prefix', 'cosign'], password), 'keys generate');

      const crafting = {
        CHAINLOOP_CONTROL_PLANE_API: url,
        CHAINLOOP_ROBOT_ACCOUNT: robot.token,
        GITHUB_REF: 'refs/tags/v0.8.9',
        GITHUB_RUN_ID: '3410079758',
        GITHUB_REPOSITORY: 'cyberdyne/skynet',
        ...password,
      };
      ok(user.run('chainloop', ['attestation', 'init'], crafting), 'attestation init');
      ok(
        user.run(
          'chainloop',
          ['attestation', 'add', '--name', 'skynet-control-plane', '--value', 'image-layout'],
          crafting,
        ),
        'add image',
      );
      ok(
        user.run('chainloop', ['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz'], crafting),
        'add rootfs',
      );
      ok(
        user.run(
          'chainloop',
          ['attestation', 'add', '--name', 'build-ref', '--value', '80e461e9b385c6986cdb8096c9dc99928943d667'],
          crafting,
        ),
        'add build-ref',
      );
      ok(
        user.run(
          'chainloop',
          ['attestation', 'add', '--name', 'skynet-sbom', '--value', 'sbom.cyclonedx.json'],
          crafting,
        ),
        'add sbom',
      );
      assert.match(
        ok(user.run('chainloop', ['attestation', 'status', '--full'], crafting), 'attestation status'),
        /skynet-sbom/,
      );
      ok(
        user.run(
          'chainloop',
          ['attestation', 'push', '--key', 'cosign.key', '--bundle', 'attestation.sigstore.json'],
          crafting,
        ),
        'attestation push',
      );
      assert.match(
        user.run('chainloop', ['attestation', 'verify', 'attestation.sigstore.json', '--key', 'cosign.pub'], crafting)
          .stderr,
        /attestation verified/,
      );

      // A second run whose job failed: init, then reset, leaves it failed with the reason.
      ok(user.run('chainloop', ['attestation', 'init'], crafting), 'second init');
      ok(
        user.run('chainloop', ['attestation', 'reset', '--trigger', 'failure', '--reason', 'tests failed'], crafting),
        'attestation reset',
      );
      const runs = JSON.parse(
        ok(
          user.run('chainloop', ['workflow', 'run', 'list', '--workflow', 'build-and-test', '-o', 'json'], admin),
          'run list',
        ),
      );
      const statuses = (Array.isArray(runs) ? runs : runs.runs).map((run: { status: string }) => run.status).sort();
      assert.deepEqual(statuses, ['failed', 'succeeded']);
      const succeeded = (Array.isArray(runs) ? runs : runs.runs).find(
        (run: { status: string }) => run.status === 'succeeded',
      );
      assert.match(
        ok(
          user.run(
            'chainloop',
            ['workflow', 'run', 'describe', '--id', succeeded.id, '--verify', '--key', 'cosign.pub'],
            admin,
          ),
          'run describe --verify',
        ),
        /Verified\s*│\s*Yes|verified/i,
      );
    } finally {
      server.kill('SIGTERM');
    }
  });
}
