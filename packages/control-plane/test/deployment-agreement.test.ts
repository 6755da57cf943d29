/**
 * Replicas on one database must accept one admin token and sign with one keyless CA. A replica that generated its
 * own (its own data dir, nothing given) is refused at start with one line naming the setting to give every replica;
 * what is given explicitly replaces the record, with a warning, which is how an operator rotates it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  buildControlPlane,
  type ControlPlaneProcess,
  controlPlaneBin,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  TEST_ADMIN_TOKEN,
} from './helpers/control-plane-process';
import { type PostgresServer, startPostgres } from './helpers/postgres-server';

let postgres: PostgresServer;
let databaseUrl: string;
const scratch = makeTempDir('cp-agreement-');
const started: ControlPlaneProcess[] = [];

before(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
});
after(async () => {
  await Promise.allSettled(started.map((server) => server.stop()));
  postgres?.stop();
  removeDir(scratch);
});

/** A start expected to be refused: its exit status and stderr (killed after 30 s, which fails the assertions). */
function refusedStart(dataDir: string, args: string[], adminToken?: string) {
  buildControlPlane();
  const env = { ...process.env };
  delete env.CHAINLOOP_CP_ADMIN_TOKEN;
  if (adminToken) env.CHAINLOOP_CP_ADMIN_TOKEN = adminToken;
  const result = spawnSync(
    process.execPath,
    [
      controlPlaneBin,
      'start',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--database-url',
      databaseUrl,
      ...args,
    ],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
  );
  return { status: result.status, stderr: result.stderr };
}

test('replicas on one database agree on the admin token and the keyless CA, or say which to give them', {
  timeout: 180_000,
}, async () => {
  const first = await startControlPlaneProcess({
    dataDir: join(scratch, 'first'),
    args: ['--database-url', databaseUrl],
  });
  started.push(first);
  const caFiles = [
    '--ca-cert',
    join(first.dataDir, 'signing-ca', 'ca.pem'),
    '--ca-key',
    join(first.dataDir, 'signing-ca', 'ca.key'),
  ];

  // Same token, but a CA generated in its own data dir.
  const ownCa = refusedStart(join(scratch, 'own-ca'), [], TEST_ADMIN_TOKEN);
  assert.equal(ownCa.status, 1, ownCa.stderr);
  assert.match(
    ownCa.stderr,
    /^ERR keyless signing CA \S+own-ca\/signing-ca\/ca\.pem \(sha256 [0-9a-f]{16}…\) is not the CA the other control planes on this database sign with \(sha256 [0-9a-f]{16}…\): give every replica the same --ca-cert and --ca-key\n$/,
  );

  // The CA given, but no token: it generates one of its own.
  const ownToken = refusedStart(join(scratch, 'own-token'), caFiles);
  assert.equal(ownToken.status, 1, ownToken.stderr);
  assert.match(
    ownToken.stderr,
    /^ERR admin token \S+own-token\/admin\.token is not the one the other control planes on this database accept: set CHAINLOOP_CP_ADMIN_TOKEN to one token on every replica \(a token given there replaces the recorded one\)\n$/,
  );

  // Both given: a replica like the first, serving the same workflows to the same token.
  const second = await startControlPlaneProcess({
    dataDir: join(scratch, 'second'),
    args: ['--database-url', databaseUrl, ...caFiles],
  });
  started.push(second);
  await first.admin().createWorkflow({ name: 'agreed', team: 'platform', project: 'cluster' });
  assert.equal((await second.admin().getWorkflow('agreed')).name, 'agreed');
  assert.doesNotMatch(second.logs(), /WRN/);

  // A new token given explicitly: rotation. It is the token from now on, with a warning saying so.
  const rotated = `${TEST_ADMIN_TOKEN}-rotated`;
  const third = await startControlPlaneProcess({
    dataDir: join(scratch, 'third'),
    adminToken: rotated,
    args: ['--database-url', databaseUrl, ...caFiles],
  });
  started.push(third);
  assert.match(
    third.logs(),
    /WRN CHAINLOOP_CP_ADMIN_TOKEN differs from the token the control planes on this database used so far: it is the admin token from now on; give it to every replica/,
  );
  assert.equal((await third.client(rotated).getWorkflow('agreed')).name, 'agreed');
});
