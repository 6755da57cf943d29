import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import Database from 'better-sqlite3';
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

const BUSY_RETRY_FOR_MS = 15_000;

/** Runs `step` again after a short pause while SQLite says another connection holds the lock. */
function retryWhileBusy<T>(step: () => T): T {
  const giveUpAt = Date.now() + BUSY_RETRY_FOR_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return step();
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      if (!code.startsWith('SQLITE_BUSY') || Date.now() > giveUpAt) throw error;
      // Synchronous like the rest of the constructor; jittered so the waiting processes do not retry in step.
      Atomics.wait(pause, 0, 0, Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random()));
    }
  }
}

/**
 * better-sqlite3's native binding is built by its install script; npm 12 blocks dependency install scripts unless
 * allowed, which leaves a control plane that cannot open its store. Say so in one line, with the install that works.
 */
function openDatabase(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (
      !/Could not locate the bindings file|ERR_DLOPEN_FAILED|was compiled against a different Node\.js version/.test(
        message,
      )
    )
      throw error;
    throw new ChainloopError(
      'SQLITE_BINDING_MISSING',
      `the SQLite store cannot open: better-sqlite3's native binding is missing or built for another Node.js (${message.split('\n')[0]}): reinstall with npm install -g --allow-scripts=better-sqlite3 @chainloop-ts/control-plane (npm 12 blocks install scripts), or use --database-url with PostgreSQL`,
    );
  }
}

/** The embedded default store: one SQLite file in WAL mode, every multi-statement change in a transaction. */
export class SqliteRepository implements Repository {
  private readonly db: Database.Database;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    keepPrivate(path);
    this.db = openDatabase(path);
    // Several processes may share the file; wait for a writer instead of failing with SQLITE_BUSY. Set first:
    // switching to WAL takes a lock too.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    // SQLite answers SQLITE_BUSY at once, without waiting, where waiting could deadlock (switching a new file to WAL,
    // upgrading a read lock, WAL recovery) — all of which happen when processes open one new data dir together.
    retryWhileBusy(() => this.db.pragma('journal_mode = WAL'));
    retryWhileBusy(() => this.migrate());
  }

  /**
   * One exclusive (IMMEDIATE) transaction reads what is applied and applies the rest, so processes starting
   * together on one data dir take turns: the second sees the first one's migrations instead of re-running them.
   */
  private migrate(): void {
    this.db
      .transaction(() => {
        this.db.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
        );
        const applied = new Set(
          (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((row) => Number(row.version)),
        );
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          for (const statement of migration.statements) this.db.exec(statement);
          if (migration.dataStep) this.runDataStep(migration.dataStep);
          this.db
            .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
            .run(migration.version, new Date().toISOString());
        }
      })
      .immediate();
  }

  private runDataStep(step: DataStep): void {
    if (step !== 'remove-reference-grants') throw new Error(`unknown data migration step ${step}`);
    const page = this.db.prepare(
      'SELECT digest, workflow_id, bundle FROM attestations WHERE digest > ? ORDER BY digest LIMIT 200',
    );
    const revoke = this.db.prepare('DELETE FROM blob_access WHERE digest = ? AND workflow_id = ?');
    const record = this.db.prepare('UPDATE attestations SET statement_digest = ? WHERE digest = ?');
    // Paged: better-sqlite3 cannot write while a read statement is still being iterated.
    for (let after = ''; ; ) {
      const rows = page.all(after) as Row[];
      if (rows.length === 0) return;
      for (const row of rows) {
        const bundle = String(row.bundle);
        for (const digest of legacyReferenceGrants(bundle)) revoke.run(digest, row.workflow_id);
        record.run(legacyStatementDigest(bundle) ?? null, row.digest);
      }
      after = String(rows[rows.length - 1].digest);
    }
  }

  async createWorkflow(workflow: WorkflowRecord, firstContract: ContractRevisionRecord): Promise<boolean> {
    return this.db
      .transaction(() => {
        const inserted = this.db
          .prepare(
            `INSERT INTO workflows (id, name, team, project, description, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (project, name) DO NOTHING`,
          )
          .run(workflow.id, workflow.name, workflow.team, workflow.project, workflow.description, workflow.createdAt);
        if (inserted.changes === 0) return false;
        this.insertContract(firstContract);
        return true;
      })
      .immediate();
  }

  private insertContract(contract: ContractRevisionRecord): void {
    this.db
      .prepare(
        'INSERT INTO contract_revisions (workflow_id, revision, body, format, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(contract.workflowId, contract.revision, contract.body, contract.format, contract.createdAt);
  }

  async listWorkflows(): Promise<WorkflowRecord[]> {
    return (this.db.prepare('SELECT * FROM workflows ORDER BY created_at, id').all() as Row[]).map(toWorkflow);
  }

  async getWorkflow(id: string): Promise<WorkflowRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as Row | undefined;
    return row && toWorkflow(row);
  }

  async findWorkflowsByName(name: string): Promise<WorkflowRecord[]> {
    return (this.db.prepare('SELECT * FROM workflows WHERE name = ? ORDER BY project').all(name) as Row[]).map(
      toWorkflow,
    );
  }

  async addContractRevision(
    workflowId: string,
    body: string,
    format: ContractFormat,
    createdAt: string,
  ): Promise<{ revision: ContractRevisionRecord; created: boolean }> {
    return this.db
      .transaction(() => {
        const latestRow = this.db
          .prepare('SELECT * FROM contract_revisions WHERE workflow_id = ? ORDER BY revision DESC LIMIT 1')
          .get(workflowId) as Row | undefined;
        const latest = latestRow && toContract(latestRow);
        if (latest && latest.body === body) return { revision: latest, created: false };
        const revision = { workflowId, revision: (latest?.revision ?? 0) + 1, body, format, createdAt };
        this.insertContract(revision);
        return { revision, created: true };
      })
      .immediate();
  }

  async getContractRevision(workflowId: string, revision?: number): Promise<ContractRevisionRecord | undefined> {
    const row = (
      revision === undefined
        ? this.db
            .prepare('SELECT * FROM contract_revisions WHERE workflow_id = ? ORDER BY revision DESC LIMIT 1')
            .get(workflowId)
        : this.db
            .prepare('SELECT * FROM contract_revisions WHERE workflow_id = ? AND revision = ?')
            .get(workflowId, revision)
    ) as Row | undefined;
    return row && toContract(row);
  }

  async createRobotAccount(account: RobotAccountRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO robot_accounts (id, workflow_id, name, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        account.id,
        account.workflowId,
        account.name,
        account.tokenHash,
        account.createdAt,
        account.revokedAt ?? null,
      );
  }

  async getRobotAccount(id: string): Promise<RobotAccountRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM robot_accounts WHERE id = ?').get(id) as Row | undefined;
    return row && toRobotAccount(row);
  }

  async findRobotAccountByTokenHash(tokenHash: string): Promise<RobotAccountRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM robot_accounts WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return row && toRobotAccount(row);
  }

  async listRobotAccounts(workflowId: string): Promise<RobotAccountRecord[]> {
    return (
      this.db
        .prepare('SELECT * FROM robot_accounts WHERE workflow_id = ? ORDER BY created_at, id')
        .all(workflowId) as Row[]
    ).map(toRobotAccount);
  }

  async revokeRobotAccount(id: string, revokedAt: string): Promise<RobotAccountRecord | undefined> {
    this.db.prepare('UPDATE robot_accounts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(revokedAt, id);
    return this.getRobotAccount(id);
  }

  async createRun(run: RunRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO workflow_runs (id, workflow_id, status, runner_type, job_url, contract_revision, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.id, run.workflowId, run.status, run.runnerType, run.jobUrl, run.contractRevision, run.createdAt);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM workflow_runs WHERE id = ?').get(id) as Row | undefined;
    return row && toRun(row);
  }

  async listRuns(filter: { workflowId?: string; limit: number }): Promise<RunRecord[]> {
    const rows =
      filter.workflowId === undefined
        ? this.db.prepare('SELECT * FROM workflow_runs ORDER BY created_at DESC, id LIMIT ?').all(filter.limit)
        : this.db
            .prepare('SELECT * FROM workflow_runs WHERE workflow_id = ? ORDER BY created_at DESC, id LIMIT ?')
            .all(filter.workflowId, filter.limit);
    return (rows as Row[]).map(toRun);
  }

  async finishRun(id: string, finish: RunFinish): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE workflow_runs SET status = ?, finished_at = ?, reset_trigger = ?, reason = ?
         WHERE id = ? AND status = 'initialized'`,
      )
      .run(finish.status, finish.finishedAt, finish.trigger ?? null, finish.reason ?? null, id);
    return result.changes === 1;
  }

  async expireRuns(cutoff: string, now: string): Promise<number> {
    return this.db
      .prepare(
        `UPDATE workflow_runs SET status = 'expired', finished_at = ?
         WHERE status = 'initialized' AND created_at < ?`,
      )
      .run(now, cutoff).changes;
  }

  async storeAttestation(attestation: AttestationRecord): Promise<boolean> {
    return this.db
      .transaction(() => {
        const finished = this.db
          .prepare(
            `UPDATE workflow_runs SET status = 'succeeded', finished_at = ?, attestation_digest = ?
             WHERE id = ? AND status = 'initialized'`,
          )
          .run(attestation.createdAt, attestation.digest, attestation.runId);
        if (finished.changes === 0) return false;
        this.db
          .prepare(
            `INSERT INTO attestations (digest, run_id, workflow_id, bundle, created_at, statement_digest)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
          )
          .run(
            attestation.digest,
            attestation.runId,
            attestation.workflowId,
            attestation.bundle,
            attestation.createdAt,
            attestation.statementDigest ?? null,
          );
        return true;
      })
      .immediate();
  }

  async getAttestation(digest: string): Promise<AttestationRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM attestations WHERE digest = ?').get(digest) as Row | undefined;
    return row && toAttestation(row);
  }

  async addWorkflowKey(key: WorkflowKeyRecord): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO workflow_keys (id, workflow_id, name, public_key_pem, fingerprint, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, fingerprint) DO NOTHING`,
      )
      .run(key.id, key.workflowId, key.name, key.publicKeyPem, key.fingerprint, key.createdAt);
    return result.changes === 1;
  }

  async listWorkflowKeys(workflowId: string): Promise<WorkflowKeyRecord[]> {
    return (
      this.db
        .prepare('SELECT * FROM workflow_keys WHERE workflow_id = ? ORDER BY created_at, id')
        .all(workflowId) as Row[]
    ).map(toWorkflowKey);
  }

  async removeWorkflowKey(workflowId: string, id: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM workflow_keys WHERE workflow_id = ? AND id = ?').run(workflowId, id).changes === 1
    );
  }

  async recordSigningCertificate(certificate: SigningCertificateRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO signing_certificates (serial, run_id, workflow_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(certificate.serial, certificate.runId, certificate.workflowId, certificate.issuedAt, certificate.expiresAt);
  }

  async getSigningCertificate(serial: string): Promise<SigningCertificateRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM signing_certificates WHERE serial = ?').get(serial) as Row | undefined;
    return row && toSigningCertificate(row);
  }

  async getRunState(runId: string): Promise<RunStateRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM run_states WHERE run_id = ?').get(runId) as Row | undefined;
    return row && toRunState(row);
  }

  async putRunState(state: RunStateRecord, expectedEtag: string | undefined): Promise<boolean> {
    const result =
      expectedEtag === undefined
        ? this.db
            .prepare(
              `INSERT INTO run_states (run_id, document, etag, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (run_id) DO NOTHING`,
            )
            .run(state.runId, state.document, state.etag, state.updatedAt)
        : this.db
            .prepare('UPDATE run_states SET document = ?, etag = ?, updated_at = ? WHERE run_id = ? AND etag = ?')
            .run(state.document, state.etag, state.updatedAt, state.runId, expectedEtag);
    return result.changes === 1;
  }

  async deleteRunState(runId: string): Promise<void> {
    this.db.prepare('DELETE FROM run_states WHERE run_id = ?').run(runId);
  }

  async recordBlobUpload(digest: string, workflowId: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO blob_access (digest, workflow_id) VALUES (?, ?) ON CONFLICT (digest, workflow_id) DO NOTHING',
      )
      .run(digest, workflowId);
  }

  async canReadBlob(digest: string, workflowId: string): Promise<boolean> {
    const row = this.db
      .prepare(
        `SELECT 1 FROM blob_access WHERE digest = ? AND workflow_id = ?
         UNION ALL SELECT 1 FROM attestations WHERE digest = ? AND workflow_id = ?`,
      )
      .get(digest, workflowId, digest, workflowId);
    return row !== undefined;
  }

  async blobsNotUploadedBy(workflowId: string, digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    // One query whatever the count: the digests travel as one JSON array parameter.
    const uploaded = new Set(
      (
        this.db
          .prepare(
            'SELECT digest FROM blob_access WHERE workflow_id = ? AND digest IN (SELECT value FROM json_each(?))',
          )
          .all(workflowId, JSON.stringify(digests)) as Row[]
      ).map((row) => String(row.digest)),
    );
    return digests.filter((digest) => !uploaded.has(digest));
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * The database file and its WAL and shared-memory files are the owner's only (0600). SQLite creates the WAL and -shm
 * files with the database file's permissions, so creating that one 0600 first is enough for a new store; an older
 * store's files are tightened.
 */
function keepPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}
