import { ChainloopError } from '@chainloop-ts/core';
import pg from 'pg';
import { legacyReferenceGrants, legacyStatementDigest } from './legacy-reference-grants';
import { type DataStep, MIGRATIONS } from './migrations';
import type {
  AttestationRecord,
  ContractFormat,
  ContractRevisionRecord,
  Repository,
  RobotAccountRecord,
  RunFinish,
  RunRecord,
  RunStateRecord,
  SigningCertificateRecord,
  WorkflowKeyRecord,
  WorkflowRecord,
} from './repository';
import {
  type Row,
  toAttestation,
  toContract,
  toRobotAccount,
  toRun,
  toRunState,
  toSigningCertificate,
  toWorkflow,
  toWorkflowKey,
} from './rows';

/** Any fixed number: every control plane process takes this advisory lock while it migrates. */
const MIGRATION_LOCK = 7_266_103;

/**
 * PostgreSQL store for control planes that run as several processes behind a load balancer. Same migrations and
 * semantics as the SQLite one; per-workflow row locks serialise revision numbering.
 */
export class PostgresRepository implements Repository {
  private closed = false;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, then migrates; a database that cannot be reached is DATABASE_UNREACHABLE (password never shown). */
  static async connect(url: string): Promise<PostgresRepository> {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection dropped by the server must not crash the process; the next query reports the problem.
    pool.on('error', () => undefined);
    const repository = new PostgresRepository(pool);
    try {
      await repository.migrate();
    } catch (error) {
      await pool.end();
      const reason = error instanceof Error ? error.message : String(error);
      throw new ChainloopError(
        'DATABASE_UNREACHABLE',
        `cannot use the PostgreSQL database ${redactPassword(url)}: ${reason}: check --database-url / CHAINLOOP_CP_DATABASE_URL`,
      );
    }
    return repository;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, values)).rows as Row[];
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        (await client.query('SELECT version FROM schema_migrations')).rows.map((row) => Number(row.version)),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await client.query(statement);
        if (migration.dataStep) await runDataStep(client, migration.dataStep);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async createWorkflow(workflow: WorkflowRecord, firstContract: ContractRevisionRecord): Promise<boolean> {
    return this.transaction(async (client) => {
      const inserted = await client.query(
        `INSERT INTO workflows (id, name, team, project, description, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (project, name) DO NOTHING`,
        [workflow.id, workflow.name, workflow.team, workflow.project, workflow.description, workflow.createdAt],
      );
      if (inserted.rowCount === 0) return false;
      await insertContract(client, firstContract);
      return true;
    });
  }

  async listWorkflows(): Promise<WorkflowRecord[]> {
    return (await this.rows('SELECT * FROM workflows ORDER BY created_at, id')).map(toWorkflow);
  }

  async getWorkflow(id: string): Promise<WorkflowRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM workflows WHERE id = $1', [id]);
    return row && toWorkflow(row);
  }

  async findWorkflowsByName(name: string): Promise<WorkflowRecord[]> {
    return (await this.rows('SELECT * FROM workflows WHERE name = $1 ORDER BY project', [name])).map(toWorkflow);
  }

  async addContractRevision(
    workflowId: string,
    body: string,
    format: ContractFormat,
    createdAt: string,
  ): Promise<{ revision: ContractRevisionRecord; created: boolean }> {
    return this.transaction(async (client) => {
      // Locking the workflow row makes concurrent uploads take turns, so each sees the other's revision.
      await client.query('SELECT id FROM workflows WHERE id = $1 FOR UPDATE', [workflowId]);
      const [latestRow] = (
        await client.query('SELECT * FROM contract_revisions WHERE workflow_id = $1 ORDER BY revision DESC LIMIT 1', [
          workflowId,
        ])
      ).rows as Row[];
      const latest = latestRow && toContract(latestRow);
      if (latest && latest.body === body) return { revision: latest, created: false };
      const revision = { workflowId, revision: (latest?.revision ?? 0) + 1, body, format, createdAt };
      await insertContract(client, revision);
      return { revision, created: true };
    });
  }

  async getContractRevision(workflowId: string, revision?: number): Promise<ContractRevisionRecord | undefined> {
    const [row] =
      revision === undefined
        ? await this.rows('SELECT * FROM contract_revisions WHERE workflow_id = $1 ORDER BY revision DESC LIMIT 1', [
            workflowId,
          ])
        : await this.rows('SELECT * FROM contract_revisions WHERE workflow_id = $1 AND revision = $2', [
            workflowId,
            revision,
          ]);
    return row && toContract(row);
  }

  async createRobotAccount(account: RobotAccountRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO robot_accounts (id, workflow_id, name, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [account.id, account.workflowId, account.name, account.tokenHash, account.createdAt, account.revokedAt ?? null],
    );
  }

  async getRobotAccount(id: string): Promise<RobotAccountRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM robot_accounts WHERE id = $1', [id]);
    return row && toRobotAccount(row);
  }

  async findRobotAccountByTokenHash(tokenHash: string): Promise<RobotAccountRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM robot_accounts WHERE token_hash = $1', [tokenHash]);
    return row && toRobotAccount(row);
  }

  async listRobotAccounts(workflowId: string): Promise<RobotAccountRecord[]> {
    return (
      await this.rows('SELECT * FROM robot_accounts WHERE workflow_id = $1 ORDER BY created_at, id', [workflowId])
    ).map(toRobotAccount);
  }

  async revokeRobotAccount(id: string, revokedAt: string): Promise<RobotAccountRecord | undefined> {
    await this.pool.query('UPDATE robot_accounts SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      revokedAt,
      id,
    ]);
    return this.getRobotAccount(id);
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO workflow_runs (id, workflow_id, status, runner_type, job_url, contract_revision, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [run.id, run.workflowId, run.status, run.runnerType, run.jobUrl, run.contractRevision, run.createdAt],
    );
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM workflow_runs WHERE id = $1', [id]);
    return row && toRun(row);
  }

  async listRuns(filter: { workflowId?: string; limit: number }): Promise<RunRecord[]> {
    const rows =
      filter.workflowId === undefined
        ? await this.rows('SELECT * FROM workflow_runs ORDER BY created_at DESC, id LIMIT $1', [filter.limit])
        : await this.rows('SELECT * FROM workflow_runs WHERE workflow_id = $1 ORDER BY created_at DESC, id LIMIT $2', [
            filter.workflowId,
            filter.limit,
          ]);
    return rows.map(toRun);
  }

  async finishRun(id: string, finish: RunFinish): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE workflow_runs SET status = $1, finished_at = $2, reset_trigger = $3, reason = $4
       WHERE id = $5 AND status = 'initialized'`,
      [finish.status, finish.finishedAt, finish.trigger ?? null, finish.reason ?? null, id],
    );
    return result.rowCount === 1;
  }

  async expireRuns(cutoff: string, now: string): Promise<number> {
    const result = await this.pool.query(
      `UPDATE workflow_runs SET status = 'expired', finished_at = $1 WHERE status = 'initialized' AND created_at < $2`,
      [now, cutoff],
    );
    return result.rowCount ?? 0;
  }

  async storeAttestation(attestation: AttestationRecord): Promise<boolean> {
    return this.transaction(async (client) => {
      const finished = await client.query(
        `UPDATE workflow_runs SET status = 'succeeded', finished_at = $1, attestation_digest = $2
         WHERE id = $3 AND status = 'initialized'`,
        [attestation.createdAt, attestation.digest, attestation.runId],
      );
      if (finished.rowCount === 0) return false;
      await client.query(
        `INSERT INTO attestations (digest, run_id, workflow_id, bundle, created_at, statement_digest)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING`,
        [
          attestation.digest,
          attestation.runId,
          attestation.workflowId,
          attestation.bundle,
          attestation.createdAt,
          attestation.statementDigest ?? null,
        ],
      );
      return true;
    });
  }

  async getAttestation(digest: string): Promise<AttestationRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM attestations WHERE digest = $1', [digest]);
    return row && toAttestation(row);
  }

  async addWorkflowKey(key: WorkflowKeyRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO workflow_keys (id, workflow_id, name, public_key_pem, fingerprint, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workflow_id, fingerprint) DO NOTHING`,
      [key.id, key.workflowId, key.name, key.publicKeyPem, key.fingerprint, key.createdAt],
    );
    return result.rowCount === 1;
  }

  async listWorkflowKeys(workflowId: string): Promise<WorkflowKeyRecord[]> {
    return (
      await this.rows('SELECT * FROM workflow_keys WHERE workflow_id = $1 ORDER BY created_at, id', [workflowId])
    ).map(toWorkflowKey);
  }

  async removeWorkflowKey(workflowId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM workflow_keys WHERE workflow_id = $1 AND id = $2', [
      workflowId,
      id,
    ]);
    return result.rowCount === 1;
  }

  async recordSigningCertificate(certificate: SigningCertificateRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO signing_certificates (serial, run_id, workflow_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [certificate.serial, certificate.runId, certificate.workflowId, certificate.issuedAt, certificate.expiresAt],
    );
  }

  async getSigningCertificate(serial: string): Promise<SigningCertificateRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM signing_certificates WHERE serial = $1', [serial]);
    return row && toSigningCertificate(row);
  }

  async getRunState(runId: string): Promise<RunStateRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM run_states WHERE run_id = $1', [runId]);
    return row && toRunState(row);
  }

  async putRunState(state: RunStateRecord, expectedEtag: string | undefined): Promise<boolean> {
    const result =
      expectedEtag === undefined
        ? await this.pool.query(
            `INSERT INTO run_states (run_id, document, etag, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (run_id) DO NOTHING`,
            [state.runId, state.document, state.etag, state.updatedAt],
          )
        : await this.pool.query(
            'UPDATE run_states SET document = $1, etag = $2, updated_at = $3 WHERE run_id = $4 AND etag = $5',
            [state.document, state.etag, state.updatedAt, state.runId, expectedEtag],
          );
    return result.rowCount === 1;
  }

  async deleteRunState(runId: string): Promise<void> {
    await this.pool.query('DELETE FROM run_states WHERE run_id = $1', [runId]);
  }

  async recordBlobUpload(digest: string, workflowId: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO blob_access (digest, workflow_id) VALUES ($1, $2) ON CONFLICT (digest, workflow_id) DO NOTHING',
      [digest, workflowId],
    );
  }

  async canReadBlob(digest: string, workflowId: string): Promise<boolean> {
    const rows = await this.rows(
      `SELECT 1 FROM blob_access WHERE digest = $1 AND workflow_id = $2
       UNION ALL SELECT 1 FROM attestations WHERE digest = $1 AND workflow_id = $2 LIMIT 1`,
      [digest, workflowId],
    );
    return rows.length > 0;
  }

  async blobsNotUploadedBy(workflowId: string, digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    const rows = await this.rows('SELECT digest FROM blob_access WHERE workflow_id = $1 AND digest = ANY($2::text[])', [
      workflowId,
      digests,
    ]);
    const uploaded = new Set(rows.map((row) => String(row.digest)));
    return digests.filter((digest) => !uploaded.has(digest));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function insertContract(client: pg.PoolClient, contract: ContractRevisionRecord): Promise<void> {
  await client.query(
    'INSERT INTO contract_revisions (workflow_id, revision, body, format, created_at) VALUES ($1, $2, $3, $4, $5)',
    [contract.workflowId, contract.revision, contract.body, contract.format, contract.createdAt],
  );
}

/** See DataStep in migrations.ts; paged so a large table is never held in memory at once. */
async function runDataStep(client: pg.PoolClient, step: DataStep): Promise<void> {
  if (step !== 'remove-reference-grants') throw new Error(`unknown data migration step ${step}`);
  for (let after = ''; ; ) {
    const { rows } = await client.query(
      'SELECT digest, workflow_id, bundle FROM attestations WHERE digest > $1 ORDER BY digest LIMIT 200',
      [after],
    );
    if (rows.length === 0) return;
    for (const row of rows as Row[]) {
      const bundle = String(row.bundle);
      const grants = legacyReferenceGrants(bundle);
      if (grants.length > 0) {
        await client.query('DELETE FROM blob_access WHERE workflow_id = $1 AND digest = ANY($2::text[])', [
          row.workflow_id,
          grants,
        ]);
      }
      await client.query('UPDATE attestations SET statement_digest = $1 WHERE digest = $2', [
        legacyStatementDigest(bundle) ?? null,
        row.digest,
      ]);
    }
    after = String(rows[rows.length - 1].digest);
  }
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'URL (unparsable)';
  }
}
