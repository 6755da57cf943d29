import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { KyselyRepository } from '../../src/storage/kysely-repository';
import { MIGRATIONS } from '../../src/storage/migrations';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server';
import { repositoryConformance, statementsUpTo } from './repository-conformance';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(() => server.stop());

repositoryConformance('PostgreSQL', {
  async open() {
    const url = await server.createDatabase();
    return {
      repository: await KyselyRepository.connectPostgres(url),
      openSecond: () => KyselyRepository.connectPostgres(url),
    };
  },
  async legacy(version) {
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const statement of statementsUpTo(version)) await client.query(statement);
    return {
      async exec(sql, params = []) {
        let index = 0;
        await client.query(
          sql.replace(/\?/g, () => `$${++index}`),
          params,
        );
      },
      async open() {
        await client.end();
        return KyselyRepository.connectPostgres(url);
      },
    };
  },
});

test('PostgreSQL: processes starting together migrate once', async () => {
  const url = await server.createDatabase();
  const repositories = await Promise.all(Array.from({ length: 4 }, () => KyselyRepository.connectPostgres(url)));
  await Promise.all(repositories.map((repository) => repository.close()));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((row) => row.version),
      MIGRATIONS.map((migration) => migration.version),
    );
  } finally {
    await client.end();
  }
});

test('PostgreSQL: an unreachable database is DATABASE_UNREACHABLE without the password', async () => {
  await assert.rejects(KyselyRepository.connectPostgres('postgres://someone:s3cret@127.0.0.1:9/db'), (error: Error) => {
    assert.equal((error as Error & { code: string }).code, 'DATABASE_UNREACHABLE');
    assert.doesNotMatch(error.message, /s3cret/);
    assert.match(error.message, /--database-url/);
    return true;
  });
});
