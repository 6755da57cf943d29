import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
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

// The server's and the CLI's peak RSS during this are budgets (< 150 MiB), measured by `npm run bench` (section 1).
test('a 1 GiB upload is stored under its digest and downloads back byte for byte', { timeout: 300_000 }, async () => {
  const { robot } = await workflowWithRobot(server, 'large');
  const source = join(workDir, 'large.bin');
  const expected = await makeLargeFile(source);

  const uploaded = await robot.uploadFileOnePass(source);
  assert.deepEqual(uploaded, { digest: expected, size: GiB });

  const downloaded = join(workDir, 'large.out');
  await robot.downloadBlob(expected, downloaded);
  assert.equal((await stat(downloaded)).size, GiB);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(downloaded)) hash.update(chunk);
  assert.equal(`sha256:${hash.digest('hex')}`, expected);
});
