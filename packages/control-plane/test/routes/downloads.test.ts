/**
 * GET /v1/downloads/chainloop.cjs hands CI jobs the CLI of this control plane's version (the GitLab component and
 * the CircleCI orb fetch it by default): the exact bytes of the CLI build, its sha256 in sha256sum format, no token
 * needed, and a clear answer when the control plane has no CLI of its version to give.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHAINLOOP_TS_VERSION } from '@chainloop-ts/core';
import {
  type ControlPlaneProcess,
  call,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
} from '../helpers/control-plane-process';

const cliBundle = join(import.meta.dirname, '..', '..', '..', 'cli', 'dist', 'chainloop.cjs');

describe('CLI downloads', { timeout: 120_000 }, () => {
  let server: ControlPlaneProcess;
  const scratch = makeTempDir('cp-downloads-');

  before(async () => {
    assert.ok(existsSync(cliBundle), `${cliBundle} is missing: run npm run build first`);
    server = await startControlPlaneProcess();
  });
  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir ?? '');
    removeDir(scratch);
  });

  test('serves the exact CLI build without a token, with its sha256, and the download runs', async () => {
    const expected = readFileSync(cliBundle);
    const digest = createHash('sha256').update(expected).digest('hex');
    const response = await fetch(`${server.url}/v1/downloads/chainloop.cjs`);
    assert.equal(response.status, 200);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.ok(bytes.equals(expected), 'the served bytes are the CLI build');
    assert.equal(response.headers.get('x-checksum-sha256'), digest);
    const sums = await call(server, 'GET', '/v1/downloads/chainloop.cjs.sha256');
    assert.equal(sums.status, 200);
    assert.equal(sums.text, `${digest}  chainloop.cjs\n`);

    // What a job does with it: write it, check it with sha256sum -c, run it with node.
    writeFileSync(join(scratch, 'chainloop.cjs'), bytes);
    writeFileSync(join(scratch, 'chainloop.cjs.sha256'), sums.text);
    const check = spawnSync('sha256sum', ['-c', 'chainloop.cjs.sha256'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const version = spawnSync(process.execPath, [join(scratch, 'chainloop.cjs'), '--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), CHAINLOOP_TS_VERSION);
  });

  test('a --cli-bundle of another version is refused, not served; a missing one is 404 naming the fix', async () => {
    const otherVersion = join(scratch, 'other.cjs');
    writeFileSync(
      otherVersion,
      readFileSync(cliBundle, 'utf8').replace(/CHAINLOOP_TS_VERSION="[^"]+"/, 'CHAINLOOP_TS_VERSION="9.9.9"'),
    );
    const mismatched = await startControlPlaneProcess({ args: ['--cli-bundle', otherVersion] });
    const missing = await startControlPlaneProcess({ args: ['--cli-bundle', join(scratch, 'absent.cjs')] });
    try {
      const refused = await call(mismatched, 'GET', '/v1/downloads/chainloop.cjs');
      assert.equal(refused.status, 503);
      assert.equal(refused.json().code, 'CLI_BUNDLE_VERSION_MISMATCH');
      assert.match(refused.json().message, new RegExp(`is not version ${CHAINLOOP_TS_VERSION.replace(/\./g, '\\.')}`));
      const absent = await call(missing, 'GET', '/v1/downloads/chainloop.cjs.sha256');
      assert.equal(absent.status, 404);
      assert.equal(absent.json().code, 'CLI_BUNDLE_NOT_AVAILABLE');
      assert.match(absent.json().message, /absent\.cjs.*--cli-bundle/);
      // Still a working control plane otherwise.
      assert.equal((await call(missing, 'GET', '/healthz')).status, 200);
    } finally {
      await mismatched.stop();
      await missing.stop();
      removeDir(mismatched.dataDir);
      removeDir(missing.dataDir);
    }
  });
});
