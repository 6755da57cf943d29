/**
 * What every Repository implementation must do, run against each of them (SQLite, PostgreSQL). `open` gives a
 * fresh, empty store; `openSecond` another connection to the same store (a second process behind the balancer).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Repository } from '../../src/storage/repository';

export interface RepositoryFactory {
  open(): Promise<{ repository: Repository; openSecond(): Promise<Repository> }>;
}

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
      assert.equal(await repository.storeAttestation(attestation, ['sha256:blob']), true);
      assert.equal(await repository.storeAttestation({ ...attestation, digest: 'sha256:2' }, []), false);
      assert.equal((await repository.getAttestation('sha256:1'))?.bundle, '{ "x" : 1 }');
      assert.equal(await repository.canReadBlob('sha256:blob', 'w'), true);
      assert.equal(await repository.canReadBlob('sha256:blob', 'other'), false);

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
}
