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

test('PostgreSQL: one replica sweeps expired runs at a time; the others skip the round instead of queueing', {
  timeout: 60_000,
}, async () => {
  const url = await server.createDatabase();
  const [left, right] = await Promise.all([
    KyselyRepository.connectPostgres(url),
    KyselyRepository.connectPostgres(url),
  ]);
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  try {
    await left.createWorkflow(
      { id: 'w', name: 'build', team: 't', project: 'p', description: '', createdAt: 'then' },
      { workflowId: 'w', revision: 1, body: 'schemaVersion: v1\n', format: 'yaml', createdAt: 'then' },
    );
    for (const id of ['old-1', 'old-2']) {
      await left.createRun({
        id,
        workflowId: 'w',
        status: 'initialized',
        runnerType: 'GITHUB_ACTION',
        jobUrl: '',
        contractRevision: 1,
        createdAt: '2020-01-01T00:00:00.000Z',
      });
    }
    // A push in progress on one of the runs holds its row: the sweep that reaches it waits for the push.
    await blocker.query('BEGIN');
    await blocker.query("SELECT id FROM workflow_runs WHERE id = 'old-1' FOR UPDATE");
    const cutoff = '2021-01-01T00:00:00.000Z';
    let leftDone = false;
    const leftSweep = left.expireRuns(cutoff, new Date().toISOString()).finally(() => {
      leftDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(leftDone, false, 'the first sweep waits for the locked run');
    const rightSweep = right.expireRuns(cutoff, new Date().toISOString());
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000));
    assert.equal(await Promise.race([rightSweep, waited]), 0, 'the second replica skips the round at once');
    await blocker.query('COMMIT');
    assert.equal(await leftSweep, 2, 'the first sweep expires both runs once the push is done');
    assert.equal(await right.expireRuns(cutoff, new Date().toISOString()), 0, 'nothing is left to expire');
    assert.deepEqual(
      [(await right.getRun('old-1'))?.status, (await right.getRun('old-2'))?.status],
      ['expired', 'expired'],
    );
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end();
    await Promise.all([left.close(), right.close()]);
  }
});
