import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/storage/migrations';
import { SqliteRepository } from '../../src/storage/sqlite-repository';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';
import { repositoryConformance, statementsUpTo } from './repository-conformance';

const dir = makeTempDir('cp-sqlite-');
after(() => removeDir(dir));

let databases = 0;
repositoryConformance('SQLite', {
  async open() {
    const path = join(dir, `store-${++databases}.db`);
    return { repository: new SqliteRepository(path), openSecond: async () => new SqliteRepository(path) };
  },
  async legacy(version) {
    const path = join(dir, `legacy-${++databases}.db`);
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const statement of statementsUpTo(version)) db.exec(statement);
    return {
      async exec(sql, params = []) {
        db.prepare(sql).run(...params);
      },
      async open() {
        db.close();
        return new SqliteRepository(path);
      },
    };
  },
});

test('SQLite: migrations are applied once, recorded by version, and the database runs in WAL mode', async () => {
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
