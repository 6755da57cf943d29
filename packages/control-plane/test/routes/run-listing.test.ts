/**
 * What the web UI's Runs and Workflows views read: GET /v1/runs filtered (workflow, status, runner, since/until) and
 * paged on the server (limit/offset, total of every page) over a workflow with 10,000 runs, and GET
 * /v1/workflows/activity counting each workflow's runs per UTC day and status, with its latest run. Both stores
 * (SQLite and PostgreSQL) answer the same.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashToken } from '../../src/auth/tokens';
import { defaultConfig } from '../../src/config';
import { startControlPlane } from '../../src/index';
import { KyselyRepository } from '../../src/storage/kysely-repository';
import type { RunRecord, RunStatus } from '../../src/storage/repository';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server';

const ADMIN_TOKEN = 'cl_admin_run-listing-test-token';
const STATUSES: RunStatus[] = ['initialized', 'succeeded', 'failed', 'cancelled', 'expired'];
const DAY_MS = 24 * 60 * 60 * 1000;

interface ListedRun {
  id: string;
  workflowId: string;
  workflowName: string;
  status: string;
  runnerType: string;
  createdAt: string;
}

/** Newest first; the id (descending) orders runs created at the same time. */
const newestFirst = (a: RunRecord, b: RunRecord) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

const stores: Array<{ name: string; open(dataDir: string): Promise<KyselyRepository>; stop(): void }> = [];
let postgres: PostgresServer | undefined;
stores.push({
  name: 'SQLite',
  open: (dataDir) => KyselyRepository.openSqlite(join(dataDir, 'control-plane.db')),
  stop: () => undefined,
});
stores.push({
  name: 'PostgreSQL',
  open: async () => {
    postgres ??= await startPostgres();
    return KyselyRepository.connectPostgres(await postgres.createDatabase());
  },
  stop: () => postgres?.stop(),
});

for (const store of stores)
  describe(`run listing and activity (${store.name})`, { timeout: 240_000 }, () => {
    const dataDir = makeTempDir('cp-run-listing-');
    let running: Awaited<ReturnType<typeof startControlPlane>>;
    let repository: KyselyRepository;
    const big: RunRecord[] = [];
    const recent: RunRecord[] = [];
    const ids = { big: randomUUID(), recent: randomUUID(), idle: randomUUID() };
    const robotToken = `cl_robot_${randomUUID()}`;

    const get = async (path: string, token = ADMIN_TOKEN) => {
      const response = await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer's fields and asserts on them
      return { status: response.status, body: (await response.json()) as any };
    };
    const list = async (query: string) => {
      const answer = await get(`/v1/runs?${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as { runs: ListedRun[]; total: number };
    };

    before(async () => {
      repository = await store.open(dataDir);
      const now = new Date().toISOString();
      const contract = (workflowId: string) => ({
        workflowId,
        revision: 1,
        body: 'schemaVersion: v1\n',
        format: 'yaml' as const,
        createdAt: now,
      });
      for (const [name, id] of Object.entries(ids)) {
        const workflow = { id, name, team: 'platform', project: 'ui', description: '', createdAt: now };
        assert.ok(await repository.createWorkflow(workflow, contract(id)));
      }
      // 10,000 runs of one workflow, long ago, through the repository: every status and two runners; two runs share
      // each creation time, so the order among equal times is tested on every page.
      const start = Date.UTC(2025, 0, 1);
      for (let i = 0; i < 10_000; i++) {
        const run: RunRecord = {
          id: randomUUID(),
          workflowId: ids.big,
          status: STATUSES[i % STATUSES.length],
          runnerType: i % 4 === 0 ? 'GITLAB_PIPELINE' : 'GITHUB_ACTION',
          jobUrl: `https://ci.example/jobs/${i}`,
          contractRevision: 1,
          createdAt: new Date(start + Math.floor(i / 2) * 60_000).toISOString(),
        };
        await repository.createRun(run);
        big.push(run);
      }
      big.sort(newestFirst);
      // A few recent runs of another workflow: today, yesterday, 6 days ago (the oldest day of a 7-day window) and
      // 7 days ago (outside it).
      const today = Date.now();
      const plan: Array<[daysAgo: number, status: RunStatus]> = [
        [0, 'succeeded'],
        [0, 'succeeded'],
        [0, 'failed'],
        [1, 'cancelled'],
        [1, 'initialized'],
        [6, 'expired'],
        [7, 'succeeded'],
      ];
      for (const [index, [daysAgo, status]] of plan.entries()) {
        const createdAt = new Date(Date.UTC(...utcParts(today - daysAgo * DAY_MS), 0, index)).toISOString();
        const run: RunRecord = {
          id: randomUUID(),
          workflowId: ids.recent,
          status,
          runnerType: 'GITHUB_ACTION',
          jobUrl: '',
          contractRevision: 1,
          createdAt,
        };
        await repository.createRun(run);
        recent.push(run);
      }
      recent.sort(newestFirst);
      await repository.createRobotAccount({
        id: randomUUID(),
        name: 'recent-robot',
        workflowId: ids.recent,
        createdAt: now,
        tokenHash: hashToken(robotToken),
      });
      // Runs as old as these would be expired by the sweeper: the expiry is set beyond them, so statuses stay as made.
      const config = { port: 0, dataDir, adminToken: ADMIN_TOKEN, logRequests: false, runExpiryMs: 100 * 365 * DAY_MS };
      running = await startControlPlane(defaultConfig(config), { repository });
    });
    after(async () => {
      await running?.close();
      store.stop();
      removeDir(dataDir);
    });

    test('a workflow with 10,000 runs is paged newest first; total counts every page', async () => {
      const first = await list(`workflow=big&limit=100`);
      assert.equal(first.total, 10_000);
      assert.deepEqual(
        first.runs.map((run) => run.id),
        big.slice(0, 100).map((run) => run.id),
      );
      assert.ok(first.runs.every((run) => run.workflowName === 'big'));
      const last = await list(`workflow=${ids.big}&limit=100&offset=9950`);
      assert.equal(last.total, 10_000);
      assert.deepEqual(
        last.runs.map((run) => run.id),
        big.slice(9950).map((run) => run.id),
      );
      assert.deepEqual((await list('workflow=big&offset=10000')).runs, []);
      // Every page of 1,000 together: each run once, in order.
      const seen: string[] = [];
      for (let offset = 0; offset < 10_000; offset += 1000) {
        const page = await list(`workflow=big&limit=1000&offset=${offset}`);
        assert.equal(page.runs.length, 1000);
        seen.push(...page.runs.map((run) => run.id));
      }
      assert.deepEqual(
        seen,
        big.map((run) => run.id),
      );
      // Without a workflow: every workflow's runs, default page of 100.
      const all = await list('');
      assert.equal(all.total, 10_000 + recent.length);
      assert.equal(all.runs.length, 100);
      assert.deepEqual(
        all.runs.slice(0, recent.length).map((run) => run.id),
        recent.map((run) => run.id),
      );
    });

    test('status, runner and since/until filter the page and the total alike', async () => {
      const expect = async (query: string, matches: (run: RunRecord) => boolean) => {
        const wanted = big.filter(matches);
        const page = await list(`workflow=big&limit=50&offset=10&${query}`);
        assert.equal(page.total, wanted.length, query);
        assert.deepEqual(
          page.runs.map((run) => run.id),
          wanted.slice(10, 60).map((run) => run.id),
          query,
        );
      };
      await expect('status=failed', (run) => run.status === 'failed');
      await expect('runner=GITLAB_PIPELINE', (run) => run.runnerType === 'GITLAB_PIPELINE');
      await expect(
        'status=succeeded&runner=GITLAB_PIPELINE',
        (run) => run.status === 'succeeded' && run.runnerType === 'GITLAB_PIPELINE',
      );
      // since is inclusive and until exclusive; any offset is read as the instant it names.
      const since = big[4000].createdAt;
      const until = big[1000].createdAt;
      await expect(
        `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`,
        (run) => run.createdAt >= since && run.createdAt < until,
      );
      const sinceElsewhere = new Date(Date.parse(since) + 2 * 60 * 60 * 1000).toISOString().replace('Z', '+02:00');
      await expect(
        `since=${encodeURIComponent(sinceElsewhere)}&status=expired`,
        (run) => run.createdAt >= since && run.status === 'expired',
      );
      assert.equal((await list('status=cancelled&workflow=recent')).total, 1);
      assert.equal(
        (await list(`status=failed&since=${encodeURIComponent(recent[0].createdAt.slice(0, 10))}T00:00:00Z`)).total,
        1,
      );
    });

    test('bad filter values are refused with one line naming the field, why and what to send', async () => {
      const refused = async (query: string, message: RegExp) => {
        const answer = await get(`/v1/runs?${query}`);
        assert.equal(answer.status, 400, query);
        assert.equal(answer.body.code, 'INVALID_REQUEST');
        assert.match(answer.body.message, message);
        assert.doesNotMatch(answer.body.message, /\n/);
      };
      await refused(
        'status=done',
        /^invalid querystring: status "done" is not one of the accepted values: use initialized, succeeded, failed, cancelled, expired$/,
      );
      await refused(
        'runner=JENKINS',
        /^invalid querystring: runner "JENKINS" is not one of the accepted values: use GITHUB_ACTION, /,
      );
      await refused(
        'since=yesterday',
        /^invalid querystring: since "yesterday" is not a valid since time \(runs created at or after it\): use an RFC 3339 date-time/,
      );
      await refused('until=2026-05-01', /^invalid querystring: until "2026-05-01" is not a valid until time/);
      await refused(
        'limit=0',
        /^invalid querystring: limit 0 is not a valid page size: use a whole number from 1 to 1000$/,
      );
      await refused('limit=1001', /limit 1001 is not a valid page size/);
      await refused(
        'offset=-1',
        /^invalid querystring: offset -1 is not a valid offset: use a whole number of 0 or more/,
      );
      await refused(
        `version=${'9'.repeat(257)}`,
        /^invalid querystring: version "9+…" \(257 characters\) is not a valid project version: use 1 to 256 characters/,
      );
      const unknown = await get('/v1/runs?workflow=nope');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'WORKFLOW_NOT_FOUND');
    });

    test("a robot account lists its own workflow's runs only, filtered and paged the same", async () => {
      const own = await get('/v1/runs?limit=2&status=succeeded', robotToken);
      assert.equal(own.status, 200);
      assert.equal(own.body.total, recent.filter((run) => run.status === 'succeeded').length);
      assert.deepEqual(
        own.body.runs.map((run: ListedRun) => run.id),
        recent
          .filter((run) => run.status === 'succeeded')
          .slice(0, 2)
          .map((run) => run.id),
      );
      const other = await get('/v1/runs?workflow=big', robotToken);
      assert.equal(other.status, 404);
      assert.equal(other.body.code, 'WORKFLOW_NOT_FOUND');
    });

    test('activity: every workflow, its latest run and its runs per UTC day and status, zeros included', async () => {
      const before = Date.now();
      const answer = await get('/v1/workflows/activity');
      const afterwards = Date.now();
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      // The window ends on the server's today: the day the request was made (retry-free unless it spans midnight).
      const today = utcDay(before) === utcDay(afterwards) ? before : afterwards;
      const days = Array.from({ length: 7 }, (_, index) => utcDay(today - (6 - index) * DAY_MS));
      assert.deepEqual(answer.body.days, days);
      const byId = new Map(answer.body.workflows.map((item: { workflowId: string }) => [item.workflowId, item]));
      assert.deepEqual([...byId.keys()].sort(), Object.values(ids).sort());

      const zero = { initialized: 0, succeeded: 0, failed: 0, cancelled: 0, expired: 0 };
      const expected = days.map((date) => {
        const counts: Record<string, number | string> = { date, ...zero };
        for (const run of recent) if (run.createdAt.slice(0, 10) === date) (counts[run.status] as number)++;
        return counts;
      });
      assert.deepEqual(byId.get(ids.recent), {
        workflowId: ids.recent,
        latestRun: { id: recent[0].id, status: recent[0].status, createdAt: recent[0].createdAt },
        runsInPeriod: 6,
        perDay: expected,
      });
      assert.deepEqual(expected.at(-1), { date: days[6], ...zero, succeeded: 2, failed: 1 });
      assert.deepEqual(expected[0], { date: days[0], ...zero, expired: 1 });
      // Runs long ago: none in the period, yet its latest run is named.
      assert.deepEqual(byId.get(ids.big), {
        workflowId: ids.big,
        latestRun: { id: big[0].id, status: big[0].status, createdAt: big[0].createdAt },
        runsInPeriod: 0,
        perDay: days.map((date) => ({ date, ...zero })),
      });
      assert.deepEqual(byId.get(ids.idle), {
        workflowId: ids.idle,
        runsInPeriod: 0,
        perDay: days.map((date) => ({ date, ...zero })),
      });

      const oneDay = await get('/v1/workflows/activity?days=1');
      assert.equal(oneDay.body.days.length, 1);
      const recentToday = oneDay.body.workflows.find((item: { workflowId: string }) => item.workflowId === ids.recent);
      assert.equal(recentToday.runsInPeriod, 3);
      const quarter = await get('/v1/workflows/activity?days=90');
      assert.equal(quarter.status, 200);
      assert.equal(quarter.body.days.length, 90);
      const tooMany = await get('/v1/workflows/activity?days=91');
      assert.equal(tooMany.status, 400);
      assert.match(
        tooMany.body.message,
        /^invalid querystring: days 91 is not a valid number of days: use a whole number from 1 to 90$/,
      );
    });
  });

/** [year, month, day] of a time, in UTC. */
function utcParts(time: number): [number, number, number] {
  const date = new Date(time);
  return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
}
