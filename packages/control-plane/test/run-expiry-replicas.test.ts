import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type ControlPlaneProcess,
  makeTempDir,
  removeDir,
  startControlPlaneProcesses,
  workflowWithRobot,
} from './helpers/control-plane-process';
import { type PostgresServer, startPostgres } from './helpers/postgres-server';

let postgres: PostgresServer;
let replicas: ControlPlaneProcess[] = [];
const dataDir = makeTempDir('cp-expiry-');
const RUNS = 40;

// Two replicas on one PostgreSQL, each sweeping expired runs every half second.
before(async () => {
  postgres = await startPostgres();
  const args = ['--database-url', await postgres.createDatabase(), '--run-expiry', '1s', '--quiet'];
  replicas = await startControlPlaneProcesses({ dataDir, args }, { dataDir, args });
});
after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  postgres?.stop();
  removeDir(dataDir);
});

/** How many runs each replica says it expired (its `run expiry:` log lines). */
const expiredBy = (replica: ControlPlaneProcess) =>
  [...replica.logs().matchAll(/run expiry: (\d+) run\(s\)/g)].reduce((sum, match) => sum + Number(match[1]), 0);

test('two replicas on one PostgreSQL expire each abandoned run exactly once', { timeout: 120_000 }, async () => {
  const [left, right] = replicas;
  const crafting = await workflowWithRobot(left, 'abandoned-jobs');
  const robots = [crafting.robot, right.client(crafting.token)];
  const runIds: string[] = [];
  // Opened through both replicas in small batches, so they age past the expiry while both replicas sweep.
  for (let batch = 0; batch < RUNS / 8; batch++) {
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        robots[i % 2].createRun({ contractRevision: crafting.revision.revision, runnerType: 'GITHUB_ACTION' }),
      ),
    );
    runIds.push(...runs.map((run) => run.id));
    await new Promise((resolve) => setTimeout(resolve, 150));
  }

  const admin = right.admin();
  const giveUpAt = Date.now() + 30_000;
  for (;;) {
    const runs = await admin.listRuns({ workflow: 'abandoned-jobs', limit: 1000 });
    if (runs.length === RUNS && runs.every((run) => run.status === 'expired')) break;
    if (Date.now() > giveUpAt) {
      assert.fail(`runs not all expired after 30 s: ${runs.map((run) => run.status).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A few more sweep rounds on both replicas: an expired run is never expired again.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const counts = replicas.map(expiredBy);
  assert.equal(
    counts[0] + counts[1],
    RUNS,
    `each run expired once in all (left ${counts[0]}, right ${counts[1]}):\n${left.logs()}\n${right.logs()}`,
  );
  const finished = await Promise.all(runIds.map((id) => admin.getRun(id)));
  assert.ok(finished.every((run) => run.status === 'expired' && run.finishedAt));
});
