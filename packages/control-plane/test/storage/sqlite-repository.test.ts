import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { KyselyRepository } from '../../src/storage/kysely-repository';
import { MIGRATIONS } from '../../src/storage/migrations';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';
import { repositoryConformance, statementsUpTo } from './repository-conformance';

const dir = makeTempDir('cp-sqlite-');
after(() => removeDir(dir));

type Row = { version: number };

let databases = 0;
repositoryConformance('SQLite', {
  async open() {
    const path = join(dir, `store-${++databases}.db`);
    return {
      repository: await KyselyRepository.openSqlite(path),
      openSecond: () => KyselyRepository.openSqlite(path),
    };
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
        return KyselyRepository.openSqlite(path);
      },
    };
  },
});

test('SQLite: migrations are applied once, recorded by version, and the database runs in WAL mode', async () => {
  const path = join(dir, 'migrations.db');
  await (await KyselyRepository.openSqlite(path)).close();
  await (await KyselyRepository.openSqlite(path)).close();
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

test('SQLite: ten processes opening one new data dir together all start, and every migration is applied once', {
  timeout: 120_000,
}, async () => {
  const opener = fileURLToPath(new URL('./fixtures/open-on-signal.ts', import.meta.url));
  const processes = Array.from({ length: 10 }, () =>
    spawn(process.execPath, ['--import', 'tsx', opener], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const lines = processes.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
  const nextLine = async (index: number) => String((await lines[index].next()).value);
  try {
    for (let index = 0; index < processes.length; index++) assert.equal(await nextLine(index), 'ready');
    for (let round = 1; round <= 25; round++) {
      const path = join(dir, `together-${round}.db`);
      for (const child of processes) child.stdin.write(`open ${path}\n`);
      const answers = await Promise.all(processes.map((_, index) => nextLine(index)));
      assert.deepEqual(answers, Array(processes.length).fill('opened'), `round ${round}`);
      const db = new Database(path, { readonly: true });
      try {
        const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Row[];
        assert.deepEqual(
          versions.map((row) => row.version),
          MIGRATIONS.map((migration) => migration.version),
        );
      } finally {
        db.close();
      }
    }
  } finally {
    for (const child of processes) child.kill();
  }
});
