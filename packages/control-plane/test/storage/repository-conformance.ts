/**
 * What every Repository implementation must do, run against each of them (SQLite, PostgreSQL). `open` gives a
 * fresh, empty store; `openSecond` another connection to the same store (a second process behind the balancer).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/storage/migrations';
import type { Repository } from '../../src/storage/repository';

export interface RepositoryFactory {
  open(): Promise<{ repository: Repository; openSecond(): Promise<Repository> }>;
  /**
   * A fresh store with only the migrations up to `version` applied (as an older release left it), a way to write
   * rows into it (SQL with `?` placeholders), and then the repository opened on it, which applies the rest.
   */
  legacy(version: number): Promise<{
    exec(sql: string, params?: unknown[]): Promise<void>;
    open(): Promise<Repository>;
  }>;
}

/** The statements of the migrations up to `version`, in order, as a legacy store needs them. */
export function statementsUpTo(version: number): string[] {
  return MIGRATIONS.filter((migration) => migration.version <= version).flatMap((migration) => [
    ...migration.statements,
    `INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, 'then')`,
  ]);
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

const now = () => new Date().toISOString();
const workflow = (id: string, name: string, project = 'p') => ({
  id,
  name,
  team: 't',
  project,
  description: '',
  createdAt: now(),
});
const firstContract = (workflowId: string) => ({
  workflowId,
  revision: 1,
  body: 'schemaVersion: v1\n',
  format: 'yaml' as const,
  createdAt: now(),
});
const run = (id: string, workflowId: string, createdAt = now()) => ({
  id,
  workflowId,
  status: 'initialized' as const,
  runnerType: 'GITHUB_ACTION',
  jobUrl: '',
  contractRevision: 1,
  createdAt,
});

export function repositoryConformance(name: string, factory: RepositoryFactory): void {
  test(`${name}: workflows are unique per project and found by id or name`, async () => {
    const { repository } = await factory.open();
    try {
      assert.equal(await repository.createWorkflow(workflow('w1', 'build'), firstContract('w1')), true);
      assert.equal(await repository.createWorkflow(workflow('w2', 'build'), firstContract('w2')), false);
      assert.equal(await repository.createWorkflow(workflow('w3', 'build', 'q'), firstContract('w3')), true);
      assert.equal((await repository.findWorkflowsByName('build')).length, 2);
      assert.equal((await repository.getWorkflow('w3'))?.project, 'q');
      assert.equal(await repository.getWorkflow('w2'), undefined);
      assert.equal((await repository.getContractRevision('w1'))?.revision, 1);
    } finally {
      await repository.close();
    }
  });

  test(`${name}: two connections never hand out the same contract revision; an unchanged body is not a new one`, async () => {
    const { repository, openSecond } = await factory.open();
    const second = await openSecond();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? repository : second).addContractRevision('w', `schemaVersion: v1\n# ${i}\n`, 'yaml', now()),
        ),
      );
      const revisions = results.map((result) => result.revision.revision).sort((a, b) => a - b);
      assert.deepEqual(
        revisions,
        Array.from({ length: 30 }, (_, i) => i + 2),
      );
      const latest = await second.getContractRevision('w');
      assert.equal(latest?.revision, 31);
      const again = await repository.addContractRevision('w', latest?.body ?? '', 'yaml', now());
      assert.deepEqual(again, { revision: latest, created: false });
    } finally {
      await repository.close();
      await second.close();
    }
  });

  test(`${name}: policies and policy groups: revisions per kind and name, never handed out twice; an unchanged body is not a new one; the latest of each is listed`, {
    timeout: 60_000,
  }, async () => {
    const { repository, openSecond } = await factory.open();
    const second = await openSecond();
    const policy = (name: string, body: string, kind: 'policy' | 'policy-group' = 'policy') => ({
      kind,
      name,
      body,
      digest: `sha256:${hex(body)}`,
      createdAt: now(),
    });
    try {
      assert.deepEqual(await repository.listLatestPolicies('policy'), []);
      assert.equal(await repository.getPolicyRevision('policy', 'sbom'), undefined);
      const first = await repository.addPolicyRevision(policy('sbom', 'v1'));
      assert.equal(first.created, true);
      assert.equal(first.revision.revision, 1);
      assert.equal(first.revision.digest, `sha256:${hex('v1')}`);
      assert.deepEqual(await second.addPolicyRevision(policy('sbom', 'v1')), {
        revision: first.revision,
        created: false,
      });

      // Two connections adding changed bodies of one name at once: 2..31, each once.
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? repository : second).addPolicyRevision(policy('sbom', `v1 # ${i}`)),
        ),
      );
      assert.deepEqual(
        results.map((result) => result.revision.revision).sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i + 2),
      );
      assert.ok(results.every((result) => result.created));
      const latest = await second.getPolicyRevision('policy', 'sbom');
      assert.equal(latest?.revision, 31);
      assert.equal((await repository.getPolicyRevision('policy', 'sbom', 1))?.body, 'v1');
      assert.equal(await repository.getPolicyRevision('policy', 'sbom', 32), undefined);

      // A group of the same name is another document, numbered on its own.
      const group = await repository.addPolicyRevision(policy('sbom', 'group v1', 'policy-group'));
      assert.deepEqual([group.created, group.revision.revision, group.revision.kind], [true, 1, 'policy-group']);
      assert.equal((await repository.getPolicyRevision('policy-group', 'sbom'))?.body, 'group v1');
      await repository.addPolicyRevision(policy('junit', 'j1'));
      await repository.addPolicyRevision(policy('junit', 'j2'));
      await repository.addPolicyRevision(policy('junit', 'j1'));

      assert.deepEqual(
        (await second.listLatestPolicies('policy')).map((item) => [item.name, item.revision, item.body]),
        [
          ['junit', 3, 'j1'],
          ['sbom', 31, latest?.body],
        ],
      );
      assert.deepEqual(
        (await second.listLatestPolicies('policy-group')).map((item) => [item.name, item.revision]),
        [['sbom', 1]],
      );
    } finally {
      await repository.close();
      await second.close();
    }
  });

  test(`${name}: robot accounts are found by token hash and revoked once`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createRobotAccount({ id: 'r', name: 'ci', workflowId: 'w', createdAt: now(), tokenHash: 'ab' });
      assert.equal((await repository.findRobotAccountByTokenHash('ab'))?.id, 'r');
      const revoked = await repository.revokeRobotAccount('r', '2026-01-01T00:00:00.000Z');
      assert.equal(revoked?.revokedAt, '2026-01-01T00:00:00.000Z');
      assert.equal((await repository.revokeRobotAccount('r', now()))?.revokedAt, '2026-01-01T00:00:00.000Z');
      assert.equal((await repository.listRobotAccounts('w')).length, 1);
    } finally {
      await repository.close();
    }
  });

  test(`${name}: runs finish once; attestations finish initialized runs only; expiry by age`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createRun(run('a', 'w'));
      await repository.createRun(run('b', 'w'));
      await repository.createRun(run('old', 'w', '2020-01-01T00:00:00.000Z'));
      const attestation = { digest: 'sha256:1', runId: 'a', workflowId: 'w', bundle: '{ "x" : 1 }', createdAt: now() };
      assert.equal(await repository.storeAttestation({ ...attestation, projectVersion: '1.4' }), true);
      assert.equal(await repository.storeAttestation({ ...attestation, digest: 'sha256:2' }), false);
      assert.equal((await repository.getAttestation('sha256:1'))?.bundle, '{ "x" : 1 }');
      // The statement's project version is the run's: listed and filtered by it.
      assert.equal((await repository.getRun('a'))?.projectVersion, '1.4');
      assert.equal((await repository.getRun('b'))?.projectVersion, undefined);
      assert.deepEqual(
        (await repository.listRuns({ workflowId: 'w', projectVersion: '1.4', limit: 10 })).map((item) => item.id),
        ['a'],
      );
      assert.equal(await repository.countRuns({ projectVersion: '1.4' }), 1);
      assert.equal(await repository.countRuns({ projectVersion: '1.5' }), 0);

      assert.equal(
        await repository.finishRun('b', { status: 'failed', finishedAt: now(), trigger: 'failure', reason: 'r' }),
        true,
      );
      assert.equal(await repository.finishRun('b', { status: 'cancelled', finishedAt: now() }), false);
      assert.equal(await repository.finishRun('a', { status: 'failed', finishedAt: now() }), false);
      const failed = await repository.getRun('b');
      assert.deepEqual([failed?.status, failed?.trigger, failed?.reason], ['failed', 'failure', 'r']);

      assert.equal(await repository.expireRuns('2021-01-01T00:00:00.000Z', now()), 1);
      assert.equal((await repository.getRun('old'))?.status, 'expired');
      assert.deepEqual((await repository.listRuns({ workflowId: 'w', limit: 10 })).map((item) => item.id).slice(-1), [
        'old',
      ]);
      assert.equal((await repository.listRuns({ limit: 1 })).length, 1);
    } finally {
      await repository.close();
    }
  });

  test(`${name}: runs are filtered, counted and paged newest first (id breaks ties); per-day counts and latest runs come from the database`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createWorkflow(workflow('v', 'deploy'), firstContract('v'));
      await repository.createWorkflow(workflow('idle', 'idle'), firstContract('idle'));
      const at = (day: number, hour: number) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
      const runs = [
        { ...run('a', 'w', at(1, 9)), runnerType: 'GITLAB_PIPELINE' },
        run('b', 'w', at(1, 23)),
        run('c', 'w', at(2, 0)),
        run('d', 'w', at(2, 0)),
        run('e', 'w', at(3, 12)),
        run('x', 'v', at(2, 8)),
      ];
      for (const item of runs) await repository.createRun(item);
      await repository.finishRun('b', { status: 'failed', finishedAt: at(1, 23), reason: 'tests' });
      await repository.finishRun('d', { status: 'cancelled', finishedAt: at(2, 1) });
      const ids = async (filter: Parameters<Repository['listRuns']>[0]) =>
        (await repository.listRuns(filter)).map((item) => item.id);

      assert.deepEqual(await ids({ workflowId: 'w', limit: 10 }), ['e', 'd', 'c', 'b', 'a']);
      assert.deepEqual(await ids({ workflowId: 'w', limit: 2, offset: 1 }), ['d', 'c']);
      assert.deepEqual(await ids({ workflowId: 'w', limit: 2, offset: 5 }), []);
      assert.deepEqual(await ids({ limit: 3 }), ['e', 'x', 'd']);
      assert.deepEqual(await ids({ workflowId: 'w', status: 'initialized', limit: 10 }), ['e', 'c', 'a']);
      assert.deepEqual(await ids({ runnerType: 'GITLAB_PIPELINE', limit: 10 }), ['a']);
      // since is inclusive, until exclusive.
      assert.deepEqual(await ids({ since: at(2, 0), until: at(3, 12), limit: 10 }), ['x', 'd', 'c']);
      assert.equal(await repository.countRuns({}), 6);
      assert.equal(await repository.countRuns({ workflowId: 'w' }), 5);
      assert.equal(await repository.countRuns({ workflowId: 'w', status: 'initialized', since: at(1, 10) }), 2);
      assert.equal(await repository.countRuns({ workflowId: 'idle' }), 0);

      const perDay = (await repository.countRunsPerDay(at(1, 12)))
        .map((row) => `${row.workflowId} ${row.day} ${row.status} ${row.count}`)
        .sort();
      assert.deepEqual(perDay, [
        'v 2026-03-02 initialized 1',
        'w 2026-03-01 failed 1',
        'w 2026-03-02 cancelled 1',
        'w 2026-03-02 initialized 1',
        'w 2026-03-03 initialized 1',
      ]);
      assert.deepEqual((await repository.latestRuns()).map((item) => `${item.workflowId} ${item.id}`).sort(), [
        'v x',
        'w e',
      ]);

      await repository.addContractRevision('w', 'schemaVersion: v1\n# 2\n', 'yaml', now());
      await repository.addContractRevision('w', 'schemaVersion: v1\n# 3\n', 'yaml', now());
      assert.deepEqual(
        (await repository.listContractRevisions('w')).map((item) => item.revision),
        [1, 2, 3],
      );
      assert.deepEqual(await repository.listContractRevisions('nope'), []);
    } finally {
      await repository.close();
    }
  });

  test(`${name}: only uploads make a blob readable to a workflow; its own attestations are readable too`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createWorkflow(workflow('v', 'deploy'), firstContract('v'));
      await repository.createRun(run('r', 'w'));
      const [a, b, c] = ['a', 'b', 'c'].map((text) => `sha256:${hex(text)}`);
      await repository.recordBlobUpload(a, 'w');
      await repository.recordBlobUpload(a, 'w');
      await repository.recordBlobUpload(b, 'v');
      assert.equal(await repository.canReadBlob(a, 'w'), true);
      assert.equal(await repository.canReadBlob(a, 'v'), false);
      assert.equal(await repository.canReadBlob(b, 'w'), false);
      assert.deepEqual(await repository.blobsNotUploadedBy('w', [c, a, b]), [c, b]);
      assert.deepEqual(await repository.blobsNotUploadedBy('v', []), []);
      const many = Array.from({ length: 10_000 }, (_, i) => `sha256:${hex(`m${i}`)}`);
      assert.equal((await repository.blobsNotUploadedBy('w', [a, ...many])).length, 10_000);

      const stored = {
        digest: c,
        runId: 'r',
        workflowId: 'w',
        bundle: '{}',
        createdAt: now(),
        statementDigest: `sha256:${hex('statement')}`,
      };
      assert.equal(await repository.storeAttestation(stored), true);
      assert.equal((await repository.getAttestation(c))?.statementDigest, stored.statementDigest);
      assert.equal(await repository.canReadBlob(c, 'w'), true, "a workflow reads its own runs' attestations");
      assert.equal(await repository.canReadBlob(c, 'v'), false);
      assert.deepEqual(await repository.blobsNotUploadedBy('w', [c]), [c], 'an attestation is not an upload');
    } finally {
      await repository.close();
    }
  });

  test(`${name}: migration 4 removes blob access granted by attestation references, keeps uploads`, async () => {
    const legacy = await factory.legacy(3);
    const [sharedBlob, ownUpload, ownAttested] = ['shared', 'own', 'attested'].map(hex);
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'chainloop.workflow.build', digest: { sha256: hex('subject') } }],
      predicateType: 'chainloop.dev/attestation/v0.2',
      predicate: {
        materials: [
          { name: 'stolen', digest: { sha256: sharedBlob }, annotations: { 'chainloop.material.cas': true } },
          { name: 'mine', digest: { sha256: ownAttested }, annotations: { 'chainloop.material.cas': true } },
        ],
      },
    };
    const payload = Buffer.from(JSON.stringify(statement));
    const bundle = JSON.stringify({ dsseEnvelope: { payload: payload.toString('base64'), signatures: [] } });
    for (const id of ['w', 'v']) {
      await legacy.exec(
        "INSERT INTO workflows (id, name, team, project, description, created_at) VALUES (?, ?, 't', 'p', '', 'then')",
        [id, `flow-${id}`],
      );
    }
    await legacy.exec(
      "INSERT INTO workflow_runs (id, workflow_id, status, runner_type, job_url, contract_revision, created_at, attestation_digest) VALUES ('r', 'w', 'succeeded', 'GITHUB_ACTION', '', 1, 'then', 'sha256:att')",
    );
    await legacy.exec(
      "INSERT INTO attestations (digest, run_id, workflow_id, bundle, created_at) VALUES ('sha256:att', 'r', 'w', ?, 'then')",
      [bundle],
    );
    // v uploaded the shared blob; w got access to it (and to its own attested upload, and subjects) by reference.
    const rows: Array<[string, string]> = [
      [sharedBlob, 'v'],
      [sharedBlob, 'w'],
      [ownUpload, 'w'],
      [ownAttested, 'w'],
      [hex('subject'), 'w'],
    ];
    for (const [digest, workflowId] of rows) {
      await legacy.exec('INSERT INTO blob_access (digest, workflow_id) VALUES (?, ?)', [
        `sha256:${digest}`,
        workflowId,
      ]);
    }
    const repository = await legacy.open();
    try {
      assert.equal(await repository.canReadBlob(`sha256:${sharedBlob}`, 'w'), false, 'the stolen grant is gone');
      assert.equal(await repository.canReadBlob(`sha256:${sharedBlob}`, 'v'), true, "the uploader's stays");
      assert.equal(await repository.canReadBlob(`sha256:${ownUpload}`, 'w'), true, 'unreferenced uploads stay');
      assert.equal(await repository.canReadBlob(`sha256:${ownAttested}`, 'w'), false);
      assert.equal(await repository.canReadBlob(`sha256:${hex('subject')}`, 'w'), false);
      const attestation = await repository.getAttestation('sha256:att');
      assert.equal(attestation?.statementDigest, `sha256:${createHash('sha256').update(payload).digest('hex')}`);
      assert.equal(attestation?.bundle, bundle, 'the stored bundle is untouched');
    } finally {
      await repository.close();
    }
  });

  test(`${name}: run state writes are compare-and-swap on the ETag`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createRun(run('r', 'w'));
      const state = (document: string, etag: string) => ({ runId: 'r', document, etag, updatedAt: 'then' });
      assert.equal(await repository.putRunState(state('{"v":1}', 'e1'), undefined), true);
      assert.equal(await repository.putRunState(state('{"v":9}', 'e9'), undefined), false);
      assert.equal(await repository.putRunState(state('{"v":2}', 'e2'), 'e1'), true);
      assert.equal(await repository.putRunState(state('{"v":3}', 'e3'), 'e1'), false);
      assert.deepEqual(await repository.getRunState('r'), state('{"v":2}', 'e2'));
      await repository.deleteRunState('r');
      assert.equal(await repository.getRunState('r'), undefined);
    } finally {
      await repository.close();
    }
  });

  test(`${name}: workflow keys are unique per workflow by fingerprint and removed by id`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createWorkflow(workflow('v', 'deploy'), firstContract('v'));
      const key = (id: string, workflowId: string, fingerprint: string) => ({
        id,
        workflowId,
        name: id,
        publicKeyPem: `PEM ${fingerprint}`,
        fingerprint,
        createdAt: now(),
      });
      assert.equal(await repository.addWorkflowKey(key('k1', 'w', 'sha256:a')), true);
      assert.equal(await repository.addWorkflowKey(key('k2', 'w', 'sha256:a')), false);
      assert.equal(await repository.addWorkflowKey(key('k3', 'w', 'sha256:b')), true);
      assert.equal(await repository.addWorkflowKey(key('k4', 'v', 'sha256:a')), true);
      assert.deepEqual(
        (await repository.listWorkflowKeys('w')).map((item) => [item.id, item.publicKeyPem]),
        [
          ['k1', 'PEM sha256:a'],
          ['k3', 'PEM sha256:b'],
        ],
      );
      assert.equal(await repository.removeWorkflowKey('v', 'k1'), false, 'a key is removed only from its workflow');
      assert.equal(await repository.removeWorkflowKey('w', 'k1'), true);
      assert.equal(await repository.removeWorkflowKey('w', 'k1'), false);
      assert.deepEqual(
        (await repository.listWorkflowKeys('w')).map((item) => item.id),
        ['k3'],
      );
    } finally {
      await repository.close();
    }
  });

  test(`${name}: issued signing certificates are found by serial, each recorded once`, async () => {
    const { repository } = await factory.open();
    try {
      await repository.createWorkflow(workflow('w', 'build'), firstContract('w'));
      await repository.createRun(run('r', 'w'));
      const certificate = { serial: '0A1B', runId: 'r', workflowId: 'w', issuedAt: now(), expiresAt: now() };
      await repository.recordSigningCertificate(certificate);
      assert.deepEqual(await repository.getSigningCertificate('0A1B'), certificate);
      assert.equal(await repository.getSigningCertificate('0A1C'), undefined);
      await assert.rejects(repository.recordSigningCertificate(certificate), 'a serial is never issued twice');
    } finally {
      await repository.close();
    }
  });

  test(`${name}: web UI sessions: found by id hash, removed once ended; a sweep removes the expired, then the oldest past the cap`, async () => {
    const { repository, openSecond } = await factory.open();
    const second = await openSecond();
    try {
      const session = (idHash: string, expiresAt: string) => ({ idHash, csrfToken: `csrf-${idHash}`, expiresAt });
      await repository.createUiSession(session('a', '2026-01-01T10:00:00.000Z'));
      await repository.createUiSession(session('b', '2026-01-01T12:00:00.000Z'));
      await repository.createUiSession(session('c', '2026-01-01T13:00:00.000Z'));
      await repository.createUiSession(session('d', '2026-01-01T14:00:00.000Z'));
      assert.deepEqual(
        await second.getUiSession('b'),
        session('b', '2026-01-01T12:00:00.000Z'),
        'every replica sees it',
      );
      await second.deleteUiSession('d');
      assert.equal(await repository.getUiSession('d'), undefined);
      await repository.sweepUiSessions('2026-01-01T10:00:00.000Z', 10);
      assert.equal(await repository.getUiSession('a'), undefined, 'expired at that instant');
      assert.ok(await repository.getUiSession('b'));
      await repository.sweepUiSessions('2026-01-01T11:00:00.000Z', 1);
      assert.equal(await repository.getUiSession('b'), undefined, 'past the cap, the soonest to expire goes');
      assert.ok(await repository.getUiSession('c'));
    } finally {
      await second.close();
      await repository.close();
    }
  });

  test(`${name}: deployment settings: the first claim wins, even at once from two connections; replace overrides`, async () => {
    const { repository, openSecond } = await factory.open();
    const second = await openSecond();
    try {
      const claims = await Promise.all([
        repository.recordDeploymentSetting('ca', 'one', 'claim', now()),
        second.recordDeploymentSetting('ca', 'two', 'claim', now()),
      ]);
      const winner = claims[0] === undefined ? 'one' : 'two';
      assert.deepEqual(
        [...claims].sort(),
        [winner, undefined].sort(),
        'exactly one connection recorded its value, the other was told that one',
      );
      assert.equal(
        await repository.recordDeploymentSetting('ca', 'three', 'claim', now()),
        winner,
        'a claim never overrides',
      );
      assert.equal(await second.recordDeploymentSetting('ca', 'three', 'replace', now()), winner);
      assert.equal(await repository.recordDeploymentSetting('ca', 'four', 'claim', now()), 'three');
      assert.equal(await repository.recordDeploymentSetting('token', 'x', 'replace', now()), undefined);
      assert.equal(
        await second.readDeploymentSetting('ca'),
        'three',
        'the replaced value, read from the other connection',
      );
      assert.equal(await second.readDeploymentSetting('token'), 'x');
      assert.equal(await repository.readDeploymentSetting('never-recorded'), undefined);
    } finally {
      await second.close();
      await repository.close();
    }
  });
}
