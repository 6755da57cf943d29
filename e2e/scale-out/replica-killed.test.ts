/**
 * The seed's flow through HAProxy in front of two control-plane replicas that share only PostgreSQL and an OCI
 * registry: the replica that created the run is killed (SIGKILL) right after `init`, and the job goes on — its
 * crafting state lives in the database (remote state), its blobs in the registry — to a succeeded run whose
 * attestation verifies and whose uploaded blobs are in the registry.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { baseEnv, runCli } from '../support/cli';
import { type Cluster, startCluster } from '../support/cluster';
import { createWorkflowWithRobot } from '../support/control-plane';
import {
  githubActionsEnv,
  seedContract,
  seedWorkspace,
  signingKey,
  signingPassword,
  signingPublicKey,
} from '../support/crafting';
import { repoRoot } from '../support/paths';
import { type SeedImage, startSeedImage } from '../support/registry';

let cluster: Cluster;
let image: SeedImage;
let cwd: string;

before(async () => {
  cluster = await startCluster({ replicas: 2 });
  image = await startSeedImage();
  cwd = seedWorkspace();
});

after(async () => {
  await cluster?.stop();
  await image?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

test('the replica that served init is killed before push: the push succeeds through the other one', {
  timeout: 180_000,
}, async () => {
  const { robotToken } = await createWorkflowWithRobot(cluster, {
    name: 'build-and-test',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: seedContract,
  });
  // A GitHub Actions job, as in the seed.
  const env = baseEnv({ ...githubActionsEnv(), CHAINLOOP_TOKEN: robotToken, CHAINLOOP_CONTROL_PLANE_API: cluster.url });
  cluster.takeLogs();

  const init = await runCli(['attestation', 'init', '--remote-state', '-o', 'json'], { env, cwd });
  assert.equal(init.status, 0, init.stderr);
  const runId: string = JSON.parse(init.stdout).attestationID;
  // Request log lines reach the test a moment after the answer: collect them until the run's creation shows up.
  const seen: Record<string, string[]> = {};
  const creators = () =>
    Object.entries(seen)
      .filter(([, lines]) => lines.some((line) => /POST \/v1\/crafting\/runs 201 /.test(line)))
      .map(([name]) => name);
  for (let waited = 0; creators().length === 0 && waited < 100; waited++) {
    for (const [name, lines] of Object.entries(cluster.takeLogs())) seen[name] = [...(seen[name] ?? []), ...lines];
    if (creators().length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(creators().length, 1, `one replica logged the run's creation: ${JSON.stringify(seen)}`);
  const creator = cluster.replicas.find((replica) => replica.name === creators()[0]);
  assert.ok(creator);
  cluster.kill(creator);

  const jobEnv = { ...env, CHAINLOOP_ATTESTATION_ID: runId };
  for (const [name, value] of [
    ['skynet-control-plane', image.reference],
    ['rootfs', 'rootfs.tar.gz'],
    ['skynet-sbom', 'sbom.cyclonedx.json'],
    ['build-ref', 'abc'],
  ]) {
    const add = await runCli(['attestation', 'add', '--name', name, '--value', value], { env: jobEnv, cwd });
    assert.equal(add.status, 0, `add ${name}: ${add.stderr}`);
  }
  const bundleFile = join(cwd, 'attestation.sigstore.json');
  const push = await runCli(['attestation', 'push', '--key', signingKey, '--bundle', bundleFile], {
    env: { ...jobEnv, CHAINLOOP_SIGNING_PASSWORD: signingPassword },
    cwd,
  });
  assert.equal(push.status, 0, push.stderr);
  assert.match(push.stderr, /INF Attestation pushed!/);

  const survivor = cluster.replicas.find((replica) => replica !== creator);
  const served = cluster.takeLogs()[survivor?.name ?? ''];
  assert.ok(
    served.some((line) => /PUT \/v1\/cas\/sha256:[0-9a-f]{64} 201 /.test(line)),
    'the survivor took the upload',
  );
  const run = await cluster.admin().getRun(runId);
  assert.equal(run.status, 'succeeded');

  const verify = await runCli(['attestation', 'verify', bundleFile, '--key', signingPublicKey], {
    env: baseEnv(),
    cwd,
  });
  assert.equal(verify.status, 0, verify.stderr);
  // The uploaded file is a blob of the registry, not of a replica's disk.
  const statement = JSON.parse(
    Buffer.from(
      JSON.parse((await cluster.admin().getAttestation(runId)).bundle).dsseEnvelope.payload,
      'base64',
    ).toString(),
  );
  const rootfs = statement.predicate.materials.find(
    (material: { annotations: Record<string, string> }) => material.annotations['chainloop.material.name'] === 'rootfs',
  );
  assert.ok(cluster.registry.blobs().includes(rootfs.digest.sha256), 'rootfs is stored in the registry');
  // Its manifest says what it is: the file name the CLI sent and the workflow that uploaded it.
  const manifest = await fetch(
    `http://${cluster.registry.server.host}/v2/chainloop/cas/manifests/sha256-${rootfs.digest.sha256}`,
    { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } },
  );
  assert.equal(manifest.status, 200);
  const { layers, annotations } = (await manifest.json()) as {
    layers: Array<{ digest: string; annotations?: Record<string, string> }>;
    annotations: Record<string, string>;
  };
  assert.equal(layers[0].digest, `sha256:${rootfs.digest.sha256}`);
  assert.equal(layers[0].annotations?.['org.opencontainers.image.title'], 'rootfs.tar.gz');
  assert.equal(annotations['dev.chainloop-ts.cas.workflow.name'], 'build-and-test');
});

test('the deployment guide prints a HAProxy configuration haproxy accepts as it is', { timeout: 30_000 }, () => {
  const guide = readFileSync(join(repoRoot, 'docs', 'deployment.md'), 'utf8');
  const block = /```haproxy\n([\s\S]*?)```/.exec(guide);
  assert.ok(block, 'docs/deployment.md has a haproxy block');
  const file = join(cwd, 'haproxy.cfg');
  writeFileSync(file, block[1]);
  const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

test('a replica whose database stops answering is not ready, and says it is the database', {
  timeout: 60_000,
}, async () => {
  const url = new URL(cluster.databaseUrl);
  const database = url.pathname.slice(1);
  const client = new pg.Client({ connectionString: `${url.protocol}//${url.username}@${url.host}/postgres` });
  const replica = cluster.replicas.find((candidate) => candidate.process)?.process;
  assert.ok(replica);
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    const ready = await fetch(`${replica.url}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { code: string; message: string };
    assert.equal(body.code, 'NOT_READY');
    assert.match(body.message, /^the database is not answering: /);
    await client.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
  } finally {
    await client.end();
  }
});
