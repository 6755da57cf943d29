import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/storage/migrations';
import { SqliteRepository } from '../../src/storage/sqlite-repository';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';

const dir = makeTempDir('cp-sqlite-');
after(() => removeDir(dir));

const workflow = (id: string, name: string) => ({
  id,
  name,
  team: 't',
  project: 'p',
  description: '',
  createdAt: new Date().toISOString(),
});
const firstContract = (workflowId: string) => ({
  workflowId,
  revision: 1,
  body: 'schemaVersion: v1\n',
  format: 'yaml' as const,
  createdAt: new Date().toISOString(),
});

test('migrations are applied once, recorded by version, and the database runs in WAL mode', async () => {
  const path = join(dir, 'migrations.db');
  await new SqliteRepository(path).close();
  await new SqliteRepository(path).close();
  const db = new Database(path, { readonly: true });
  try {
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
    }>;
    assert.deepEqual(
      versions.map((row) => row.version),
      MIGRATIONS.map((migration) => migration.version),
    );
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db.close();
  }
});

test('two repositories on one file (two processes behind a load balancer) never hand out the same revision', async () => {
  const path = join(dir, 'shared.db');
  const left = new SqliteRepository(path);
  const right = new SqliteRepository(path);
  try {
    assert.equal(await left.createWorkflow(workflow('w1', 'build'), firstContract('w1')), true);
    assert.equal(await right.createWorkflow(workflow('w2', 'build'), firstContract('w2')), false, 'name taken');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? left : right).addContractRevision(
          'w1',
          `schemaVersion: v1\n# ${i}\n`,
          'yaml',
          new Date().toISOString(),
        ),
      ),
    );
    const revisions = results.map((result) => result.revision.revision).sort((a, b) => a - b);
    assert.deepEqual(
      revisions,
      Array.from({ length: 30 }, (_, i) => i + 2),
    );
    assert.equal((await right.getContractRevision('w1'))?.revision, 31);
  } finally {
    await left.close();
    await right.close();
  }
});

test('run state writes are compare-and-swap on the ETag', async () => {
  const repository = new SqliteRepository(join(dir, 'state.db'));
  try {
    await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
    await repository.createRun({
      id: 'r',
      workflowId: 'w',
      status: 'initialized',
      runnerType: 'GITHUB_ACTION',
      jobUrl: '',
      contractRevision: 1,
      createdAt: new Date().toISOString(),
    });
    const state = (document: string, etag: string) => ({ runId: 'r', document, etag, updatedAt: '' });
    assert.equal(await repository.putRunState(state('{"v":1}', 'e1'), undefined), true);
    assert.equal(await repository.putRunState(state('{"v":9}', 'e9'), undefined), false);
    assert.equal(await repository.putRunState(state('{"v":2}', 'e2'), 'e1'), true);
    assert.equal(await repository.putRunState(state('{"v":3}', 'e3'), 'e1'), false);
    assert.deepEqual(await repository.getRunState('r'), state('{"v":2}', 'e2'));
  } finally {
    await repository.close();
  }
});
