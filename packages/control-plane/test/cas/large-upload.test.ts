import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ControlPlaneProcess,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const RSS_BUDGET = 150 * MiB;

let server: ControlPlaneProcess;
const workDir = makeTempDir('cas-large-');

/** A 1 GiB file made fast: a 1 MiB pattern at the start, the rest sparse (reads as zeros, costs no disk). */
async function makeLargeFile(path: string): Promise<string> {
  const pattern = Buffer.alloc(MiB);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
  const handle = await open(path, 'w');
  await handle.write(pattern, 0, pattern.length, 0);
  await handle.truncate(GiB);
  await handle.close();
  const hash = createHash('sha256').update(pattern);
  const zeros = Buffer.alloc(MiB);
  for (let offset = MiB; offset < GiB; offset += MiB) hash.update(zeros);
  return `sha256:${hash.digest('hex')}`;
}

before(async () => {
  server = await startControlPlaneProcess();
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
  removeDir(workDir);
});

test('a 1 GiB upload and download keep the server under 150 MiB RSS', async () => {
  const { robot } = await workflowWithRobot(server, 'large');
  const source = join(workDir, 'large.bin');
  const expected = await makeLargeFile(source);
  const baseline = server.memory().rssBytes;

  const uploaded = await robot.uploadFileOnePass(source);
  assert.deepEqual(uploaded, { digest: expected, size: GiB });
  const afterUpload = server.memory();
  assert.ok(afterUpload.peakRssBytes < RSS_BUDGET, `peak RSS ${afterUpload.peakRssBytes} B (baseline ${baseline} B)`);

  const downloaded = join(workDir, 'large.out');
  await robot.downloadBlob(expected, downloaded);
  assert.equal((await stat(downloaded)).size, GiB);
  const afterDownload = server.memory();
  assert.ok(afterDownload.peakRssBytes < RSS_BUDGET, `peak RSS ${afterDownload.peakRssBytes} B after download`);

  // The client streams too (this test process also holds tsx and the runner, hence the looser bound).
  const clientPeak = process.resourceUsage().maxRSS * 1024;
  assert.ok(clientPeak < 250 * MiB, `client peak RSS ${clientPeak} B`);
});
