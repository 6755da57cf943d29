/**
 * `chainloop-control-plane start` refusing what it cannot use: one line naming the thing, why and what to do, at once,
 * and nothing created; and `-o json`, the listening line as one JSON object on stdout.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NOBODY, spawnSyncAsNobody } from '../../../scripts/test-support/as-nobody';
import { buildControlPlane, controlPlaneBin, makeTempDir, removeDir } from './helpers/control-plane-process';
import { waitForListening } from './helpers/listening-url';
import { mountTmpfs } from './helpers/tmpfs';

/** `start` with these arguments; a start that hangs is killed after 20 s and fails the assertions on its status. */
function start(args: string[]) {
  buildControlPlane();
  const env = { ...process.env };
  delete env.CHAINLOOP_CP_ADMIN_TOKEN;
  const result = spawnSync(process.execPath, [controlPlaneBin, 'start', ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return { status: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `start` as uid 65534, however the folders above this clone are protected. */
function startAsNobody(args: string[]) {
  buildControlPlane();
  const env = { ...process.env };
  delete env.CHAINLOOP_CP_ADMIN_TOKEN;
  const result = spawnSyncAsNobody(process.execPath, [controlPlaneBin, 'start', ...args], {
    cwd: '/',
    env,
    timeout: 20_000,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('start: a data directory it cannot use', { timeout: 120_000 }, () => {
  const refused = (dataDir: string, reason: string, fix = 'pass --data-dir with a writable directory') =>
    `ERR data directory ${dataDir} cannot be used: ${reason}: ${fix}\n`;

  test('under /proc: refused instead of hanging in mkdir (a hang is killed at 20 s and fails)', () => {
    const result = start(['--listen', '127.0.0.1:0', '--data-dir', '/proc/chainloop']);
    assert.equal(result.signal, null, `still running after 20 s: ${result.stderr}`);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      refused('/proc/chainloop', "/proc is on procfs, a view of the kernel's state and not a writable filesystem"),
    );
    const sys = start(['--listen', '127.0.0.1:0', '--data-dir', '/sys/chainloop']);
    assert.equal(sys.status, 1);
    assert.equal(
      sys.stderr,
      refused('/sys/chainloop', "/sys is on sysfs, a view of the kernel's state and not a writable filesystem"),
    );
  });

  test('a file in the way, as the directory or as one of its parents', () => {
    const dir = makeTempDir('cp-start-');
    try {
      const file = join(dir, 'file');
      writeFileSync(file, 'keep me');
      for (const dataDir of [file, join(file, 'data')]) {
        const result = start(['--listen', '127.0.0.1:0', '--data-dir', dataDir]);
        assert.equal(result.status, 1);
        assert.equal(
          result.stderr,
          refused(
            dataDir,
            `${file} is a file, not a directory`,
            'pass --data-dir with a directory, or move the file away',
          ),
        );
      }
      assert.equal(readFileSync(file, 'utf8'), 'keep me');
    } finally {
      removeDir(dir);
    }
  });

  test('a read-only filesystem, whether the directory exists or is to be created there', () => {
    const disk = mountTmpfs('1m');
    try {
      mkdirSync(join(disk.path, 'existing'), { mode: 0o700 });
      spawnSync('mount', ['-o', 'remount,ro', disk.path]);
      const existing = join(disk.path, 'existing');
      const result = start(['--listen', '127.0.0.1:0', '--data-dir', existing]);
      assert.equal(result.status, 1);
      assert.equal(result.stderr, refused(existing, `${existing} is on a read-only filesystem`));
      const fresh = join(disk.path, 'fresh', 'data');
      const created = start(['--listen', '127.0.0.1:0', '--data-dir', fresh]);
      assert.equal(created.status, 1);
      assert.equal(created.stderr, refused(fresh, `${disk.path} is on a read-only filesystem`));
    } finally {
      disk.unmount();
    }
  });

  test('no permission: to create it, or to write in it (run as uid 65534, which needs root)', () => {
    const dir = makeTempDir('cp-start-');
    try {
      chmodSync(dir, 0o755);
      const fresh = join(dir, 'data');
      const create = startAsNobody(['--listen', '127.0.0.1:0', '--data-dir', fresh]);
      assert.equal(create.status, 1, create.stderr);
      assert.equal(
        create.stderr,
        refused(fresh, `this user (uid ${NOBODY}) has no permission to create directories in ${dir}`),
      );
      const write = startAsNobody(['--listen', '127.0.0.1:0', '--data-dir', dir]);
      assert.equal(write.status, 1, write.stderr);
      assert.equal(write.stderr, refused(dir, `this user (uid ${NOBODY}) has no permission to write in ${dir}`));
      assert.equal(existsSync(fresh), false);
    } finally {
      removeDir(dir);
    }
  });
});

describe('start: the port', { timeout: 60_000 }, () => {
  test('busy: one line, exit 1, and nothing created (no data dir, token, database or CA)', async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    const dir = makeTempDir('cp-start-');
    try {
      const dataDir = join(dir, 'data');
      const result = start(['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir]);
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr,
        `ERR cannot listen on 127.0.0.1:${port}: port ${port} is in use by another process: stop that process, or pick another port with --listen (port 0 picks a free one)\n`,
      );
      assert.equal(existsSync(dataDir), false, 'the data directory is not created');
    } finally {
      blocker.close();
      removeDir(dir);
    }
  });
});

describe('start -o json', { timeout: 60_000 }, () => {
  test('prints the listening line as one JSON object on stdout, never the token; log lines stay on stderr', async () => {
    buildControlPlane();
    const dataDir = makeTempDir('cp-start-');
    const env = { ...process.env };
    delete env.CHAINLOOP_CP_ADMIN_TOKEN;
    const child = spawn(
      process.execPath,
      [controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '-o', 'json'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const started = waitForListening(child);
      const url = await started.url;
      for (let waited = 0; !stdout.endsWith('\n') && waited < 5000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(stdout.split('\n').length, 2, `one line: ${stdout}`);
      const tokenPath = join(dataDir, 'admin.token');
      assert.deepEqual(JSON.parse(stdout), {
        url,
        dataDir,
        storage: 'sqlite',
        adminToken: { origin: 'file', path: tokenPath, generated: true },
        signingCa: {
          origin: 'generated',
          certPath: join(dataDir, 'signing-ca', 'ca.pem'),
          keyPath: join(dataDir, 'signing-ca', 'ca.key'),
        },
      });
      assert.equal(stdout.includes(readFileSync(tokenPath, 'utf8').trim()), false);
      assert.match(started.output(), /^INF control plane listening on /m);
    } finally {
      child.kill('SIGTERM');
      await exited;
      removeDir(dataDir);
    }
  });

  test('an output format other than table or json is a usage error', () => {
    const result = start(['--listen', '127.0.0.1:0', '--data-dir', '/tmp/unused-cp-start', '-o', 'yaml']);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'ERR --output "yaml" is not supported: use table or json\n');
    assert.equal(existsSync('/tmp/unused-cp-start'), false);
  });
});
