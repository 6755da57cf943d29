/**
 * The control-plane package installed alone: its own bin runs it and it serves its release's CLI.
 * One file per install, so each install and its native build has the file time limit to itself.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installRelease, listeningUrl, nodeRuntime } from '../support/outside-install';
import { makeRelease } from '../support/release';

const node20 = () => nodeRuntime(20);

test('only the control plane installed: its own bin starts it and it serves the CLI of its release and the web UI', {
  timeout: 400_000,
}, async () => {
  const release = makeRelease();
  const user = installRelease(release, node20(), ['control-plane']);
  assert.notEqual(user.run('sh', ['-c', 'command -v chainloop']).status, 0, 'no chainloop command installed');
  const server = user.start('chainloop-control-plane', ['start', '--listen', '127.0.0.1:0', '--data-dir', 'cp']);
  try {
    const url = await listeningUrl(server);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200, 'serves the web UI from the installed package');
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
    assert.match(await page.text(), /src="\/ui\/app\.js"/);
    assert.equal((await fetch(`${url}/ui/app.js`)).status, 200, "serves the web UI's script");
    const served = Buffer.from(await (await fetch(`${url}/v1/downloads/chainloop.cjs`)).arrayBuffer());
    assert.ok(served.equals(readFileSync(join(release.dir, 'chainloop.cjs'))), 'serves the released CLI');
    const sums = await (await fetch(`${url}/v1/downloads/chainloop.cjs.sha256`)).text();
    assert.ok(
      readFileSync(join(release.dir, 'SHA256SUMS'), 'utf8').includes(sums.trim()),
      'its digest is the release one',
    );
    writeFileSync(join(user.work, 'chainloop.cjs'), served);
    assert.equal(user.run('node', ['chainloop.cjs', '--version']).stdout.trim(), release.version);
  } finally {
    server.kill('SIGTERM');
  }
});
