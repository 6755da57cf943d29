import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { ADMIN_TOKEN, type CliControlPlane, runCli, startWithCli } from '../helpers/control-plane-cli';

let server: CliControlPlane;
let digest: string;
const workDir = mkdtempSync(join(tmpdir(), 'cli-artifact-'));
const content = 'FROM scratch\nCOPY rootfs /\n';

// A control plane process and a CLI run per check: bounded, so a stuck server fails the file instead of hanging it.
const timeout = 120_000;

before(
  async () => {
    server = await startWithCli();
    const admin = new ControlPlaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    await admin.createWorkflow({ name: 'build-and-test', team: 'cyberdyne core', project: 'skynet' });
    const account = await admin.createRobotAccount('build-and-test');
    const robot = new ControlPlaneClient({ baseUrl: server.url, token: account.token ?? '' });
    const file = join(workDir, 'Dockerfile');
    writeFileSync(file, content);
    ({ digest } = await robot.uploadFileOnePass(file));
    assert.equal(digest, `sha256:${createHash('sha256').update(content).digest('hex')}`);
  },
  { timeout },
);
after(
  async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  },
  { timeout },
);

test('artifact download writes the verified blob to --output, into a directory, or to ./sha256-<hex>', {
  timeout,
}, () => {
  const target = join(workDir, 'out.txt');
  const toFile = runCli(['artifact', 'download', '--digest', digest, '--output', target], server.env);
  assert.equal(toFile.status, 0, toFile.stderr);
  assert.equal(readFileSync(target, 'utf8'), content);
  assert.match(
    toFile.stderr,
    new RegExp(`^INF downloaded ${digest} to ${target} \\(${content.length} bytes, digest verified\\)$`, 'm'),
  );

  const dir = mkdtempSync(join(workDir, 'dir-'));
  const intoDir = runCli(['artifact', 'download', '--digest', digest, '--output', dir, '-o', 'json'], server.env);
  assert.equal(intoDir.status, 0, intoDir.stderr);
  const result = JSON.parse(intoDir.stdout);
  assert.deepEqual(result, { digest, size: content.length, path: join(dir, digest.replace(':', '-')) });
  assert.equal(readFileSync(result.path, 'utf8'), content);

  const cwd = mkdtempSync(join(workDir, 'cwd-'));
  const byDefault = runCli(['artifact', 'download', '--digest', digest], server.env, cwd);
  assert.equal(byDefault.status, 0, byDefault.stderr);
  assert.equal(readFileSync(join(cwd, digest.replace(':', '-')), 'utf8'), content);
});

test('artifact download: a malformed digest is a usage error, an unknown one a clear not-found', { timeout }, () => {
  const malformed = runCli(['artifact', 'download', '--digest', 'sha256:abc'], server.env);
  assert.equal(malformed.status, 2);
  assert.match(malformed.stderr, /^ERR --digest "sha256:abc" is not a sha256 digest: use sha256:<64 lowercase hex>/m);

  const unknown = `sha256:${'0'.repeat(64)}`;
  const missing = runCli(
    ['artifact', 'download', '--digest', unknown, '--output', join(workDir, 'missing')],
    server.env,
  );
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, new RegExp(`^ERR blob ${unknown} not found in the CAS`, 'm'));
});
