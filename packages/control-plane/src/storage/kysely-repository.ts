import { sql } from 'kysely';
import { CompiledQueries } from './compiled-queries';
import { type Db, openPostgres, openSqlite, type StoreDatabase } from './database';
import { legacyReferenceGrants, legacyStatementDigest } from './legacy-reference-grants';
import { type DataStep, MIGRATIONS } from './migrations';
import type {
  AttestationRecord,
  ContractFormat,
  ContractRevisionRecord,
  PolicyDocumentKind,
  PolicyRevisionRecord,
  Repository,
  RobotAccountRecord,
  RunDayCount,
  RunFilter,
  RunFinish,
  RunRecord,
  RunStateRecord,
  RunStatus,
  SigningCertificateRecord,
  UiSessionRecord,
  WorkflowKeyRecord,
  WorkflowRecord,
} from './repository';
import {
  toAttestation,
  toContract,
  toPolicyRevision,
  toRobotAccount,
  toRun,
  toRunState,
  toSigningCertificate,
  toUiSession,
  toWorkflow,
  toWorkflowKey,
} from './rows';

/** Rows a write changed, from kysely's bigint counts (undefined when the driver gives none). */
const changed = (count: bigint | undefined): number => Number(count ?? 0n);

/**
 * The store, written once for SQLite (the embedded default) and PostgreSQL (several processes behind a load
 * balancer): the same queries, migrations and semantics on both; what differs lives in database.ts. Every
 * multi-statement change is one transaction.
 */
export class KyselyRepository implements Repository {
  private closed = false;
  /** The queries every attestation runs, compiled once (see compiled-queries.ts). */
  private readonly hot = new CompiledQueries();

  private constructor(private readonly store: StoreDatabase) {}

  /** One SQLite file (created 0600 with its directory), migrated. */
  static async openSqlite(path: string): Promise<KyselyRepository> {
    return KyselyRepository.open(openSqlite(path));
  }

  /** Connects, then migrates; a database that cannot be reached is DATABASE_UNREACHABLE (password never shown). */
  static async connectPostgres(url: string): Promise<KyselyRepository> {
    return KyselyRepository.open(openPostgres(url));
  }

  private static async open(store: StoreDatabase): Promise<KyselyRepository> {
    const repository = new KyselyRepository(store);
    try {
      await store.retryOnOpen(() => repository.migrate());
    } catch (error) {
      await store.db.destroy().catch(() => undefined);
      throw store.openFailed(error);
    }
    return repository;
  }

  get kind(): StoreDatabase['kind'] {
    return this.store.kind;
  }

  private get db() {
    return this.store.db;
  }

  /**
   * One transaction, under the migration lock, reads what is applied and applies the rest, so processes starting
   * together take turns: the second sees the first one's migrations instead of re-running them.
   */
  private async migrate(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.store.lockForMigration(trx);
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`.execute(
        trx,
      );
      const applied = new Set(
        (await trx.selectFrom('schema_migrations').select('version').execute()).map((row) => Number(row.version)),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await sql.raw(statement).execute(trx);
        if (migration.dataStep) await this.runDataStep(trx, migration.dataStep);
        await trx
          .insertInto('schema_migrations')
          .values({ version: migration.version, applied_at: new Date().toISOString() })
          .execute();
      }
    });
  }

  /** See DataStep in migrations.ts; paged so a large table is never held in memory at once. */
  private async runDataStep(trx: Db, step: DataStep): Promise<void> {
    if (step !== 'remove-reference-grants') throw new Error(`unknown data migration step ${step}`);
    for (let after = ''; ; ) {
      const rows = await trx
        .selectFrom('attestations')
        .select(['digest', 'workflow_id', 'bundle'])
        .where('digest', '>', after)
        .orderBy('digest')
        .limit(200)
        .execute();
      if (rows.length === 0) return;
      for (const row of rows) {
        const grants = legacyReferenceGrants(row.bundle);
        if (grants.length > 0) {
          await trx
            .deleteFrom('blob_access')
            .where('workflow_id', '=', row.workflow_id)
            .where((eb) => this.store.inSet(eb.ref('digest'), grants))
            .execute();
        }
        await trx
          .updateTable('attestations')
          .set({ statement_digest: legacyStatementDigest(row.bundle) ?? null })
          .where('digest', '=', row.digest)
          .execute();
      }
      after = rows[rows.length - 1].digest;
    }
  }

  async createWorkflow(workflow: WorkflowRecord, firstContract: ContractRevisionRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('workflows')
        .values({
          id: workflow.id,
          name: workflow.name,
          team: workflow.team,
          project: workflow.project,
          description: workflow.description,
          created_at: workflow.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['project', 'name']).doNothing())
        .executeTakeFirst();
      if (changed(inserted.numInsertedOrUpdatedRows) === 0) return false;
      await insertContract(trx, firstContract);
      return true;
    });
  }

  async listWorkflows(): Promise<WorkflowRecord[]> {
    return (await this.db.selectFrom('workflows').selectAll().orderBy('created_at').orderBy('id').execute()).map(
      toWorkflow,
    );
  }

  async getWorkflow(id: string): Promise<WorkflowRecord | undefined> {
    const { rows } = await this.hot.execute(
      this.db,
      'getWorkflow',
      (arg) => this.db.selectFrom('workflows').selectAll().where('id', '=', arg(0)),
      [id],
    );
    return rows[0] && toWorkflow(rows[0]);
  }

  async findWorkflowsByName(name: string): Promise<WorkflowRecord[]> {
    return (
      await this.db.selectFrom('workflows').selectAll().where('name', '=', name).orderBy('project').execute()
    ).map(toWorkflow);
  }

  async addContractRevision(
    workflowId: string,
    body: string,
    format: ContractFormat,
    createdAt: string,
  ): Promise<{ revision: ContractRevisionRecord; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      // Concurrent uploads take turns, so each sees the other's revision.
      await this.store.lockWorkflow(trx, workflowId);
      const latestRow = await latestContract(trx, workflowId);
      const latest = latestRow && toContract(latestRow);
      if (latest && latest.body === body) return { revision: latest, created: false };
      const revision = { workflowId, revision: (latest?.revision ?? 0) + 1, body, format, createdAt };
      await insertContract(trx, revision);
      return { revision, created: true };
    });
  }

  async getContractRevision(workflowId: string, revision?: number): Promise<ContractRevisionRecord | undefined> {
    const { rows } =
      revision === undefined
        ? await this.hot.execute(this.db, 'latestContract', (arg) => latestContractQuery(this.db, arg(0)), [workflowId])
        : await this.hot.execute(
            this.db,
            'getContractRevision',
            (arg) =>
              this.db
                .selectFrom('contract_revisions')
                .selectAll()
                .where('workflow_id', '=', arg(0))
                .where('revision', '=', arg<number>(1)),
            [workflowId, revision],
          );
    return rows[0] && toContract(rows[0]);
  }

  async listContractRevisions(workflowId: string): Promise<ContractRevisionRecord[]> {
    return (
      await this.db
        .selectFrom('contract_revisions')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .orderBy('revision')
        .execute()
    ).map(toContract);
  }

  async addPolicyRevision(
    document: Omit<PolicyRevisionRecord, 'revision'>,
  ): Promise<{ revision: PolicyRevisionRecord; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      // Concurrent uploads of one name take turns, so each sees the other's revision.
      await this.store.lockPolicyName(trx, document.kind, document.name);
      const latestRow = await latestPolicy(trx, document.kind, document.name);
      const latest = latestRow && toPolicyRevision(latestRow);
      if (latest && latest.body === document.body) return { revision: latest, created: false };
      const revision: PolicyRevisionRecord = { ...document, revision: (latest?.revision ?? 0) + 1 };
      await trx
        .insertInto('policy_documents')
        .values({
          kind: revision.kind,
          name: revision.name,
          revision: revision.revision,
          body: revision.body,
          digest: revision.digest,
          created_at: revision.createdAt,
        })
        .execute();
      return { revision, created: true };
    });
  }

  async getPolicyRevision(
    kind: PolicyDocumentKind,
    name: string,
    revision?: number,
  ): Promise<PolicyRevisionRecord | undefined> {
    const row =
      revision === undefined
        ? await latestPolicy(this.db, kind, name)
        : await this.db
            .selectFrom('policy_documents')
            .selectAll()
            .where('kind', '=', kind)
            .where('name', '=', name)
            .where('revision', '=', revision)
            .executeTakeFirst();
    return row && toPolicyRevision(row);
  }

  async listLatestPolicies(kind: PolicyDocumentKind): Promise<PolicyRevisionRecord[]> {
    const rows = await this.db
      .selectFrom('policy_documents as p')
      .selectAll('p')
      .where('p.kind', '=', kind)
      .where('p.revision', '=', (eb) =>
        eb
          .selectFrom('policy_documents as q')
          .select((inner) => inner.fn.max('q.revision').as('latest'))
          .whereRef('q.kind', '=', 'p.kind')
          .whereRef('q.name', '=', 'p.name'),
      )
      .orderBy('p.name')
      .execute();
    return rows.map(toPolicyRevision);
  }

  async createRobotAccount(account: RobotAccountRecord): Promise<void> {
    await this.db
      .insertInto('robot_accounts')
      .values({
        id: account.id,
        workflow_id: account.workflowId,
        name: account.name,
        token_hash: account.tokenHash,
        created_at: account.createdAt,
        revoked_at: account.revokedAt ?? null,
      })
      .execute();
  }

  async getRobotAccount(id: string): Promise<RobotAccountRecord | undefined> {
    const row = await this.db.selectFrom('robot_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRobotAccount(row);
  }

  async findRobotAccountByTokenHash(tokenHash: string): Promise<RobotAccountRecord | undefined> {
    const { rows } = await this.hot.execute(
      this.db,
      'findRobotAccountByTokenHash',
      (arg) => this.db.selectFrom('robot_accounts').selectAll().where('token_hash', '=', arg(0)).limit(1),
      [tokenHash],
    );
    return rows[0] && toRobotAccount(rows[0]);
  }

  async listRobotAccounts(workflowId: string): Promise<RobotAccountRecord[]> {
    return (
      await this.db
        .selectFrom('robot_accounts')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map(toRobotAccount);
  }

  async revokeRobotAccount(id: string, revokedAt: string): Promise<RobotAccountRecord | undefined> {
    await this.db
      .updateTable('robot_accounts')
      .set({ revoked_at: revokedAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.getRobotAccount(id);
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.hot.execute(
      this.db,
      'createRun',
      (arg) =>
        this.db.insertInto('workflow_runs').values({
          id: arg(0),
          workflow_id: arg(1),
          status: arg(2),
          runner_type: arg(3),
          job_url: arg(4),
          contract_revision: arg<number>(5),
          created_at: arg(6),
        }),
      [run.id, run.workflowId, run.status, run.runnerType, run.jobUrl, run.contractRevision, run.createdAt],
    );
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.hot.execute(
      this.db,
      'getRun',
      (arg) => this.db.selectFrom('workflow_runs').selectAll().where('id', '=', arg(0)),
      [id],
    );
    return rows[0] && toRun(rows[0]);
  }

  async listRuns(filter: RunFilter & { limit: number; offset?: number }): Promise<RunRecord[]> {
    const rows = await filterRuns(this.db, filter)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(toRun);
  }

  async countRuns(filter: RunFilter): Promise<number> {
    const row = await filterRuns(this.db, filter)
      .select((eb) => eb.fn.countAll().as('runs'))
      .executeTakeFirstOrThrow();
    return Number(row.runs);
  }

  async countRunsPerDay(since: string): Promise<RunDayCount[]> {
    // created_at is ISO-8601 UTC text: its first 10 characters are the UTC day, in both databases.
    const day = sql<string>`substr(created_at, 1, 10)`;
    const rows = await this.db
      .selectFrom('workflow_runs')
      .select((eb) => ['workflow_id', day.as('day'), 'status', eb.fn.countAll().as('runs')])
      .where('created_at', '>=', since)
      .groupBy(['workflow_id', day, 'status'])
      .execute();
    return rows.map((row) => ({
      workflowId: String(row.workflow_id),
      day: String(row.day),
      status: row.status as RunStatus,
      count: Number(row.runs),
    }));
  }

  async latestRuns(): Promise<RunRecord[]> {
    // One index lookup per workflow (workflow_runs_by_workflow), whatever the number of runs.
    const rows = await this.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('workflows as w')
          .select((inner) =>
            inner
              .selectFrom('workflow_runs as r')
              .select('r.id')
              .whereRef('r.workflow_id', '=', 'w.id')
              .orderBy('r.created_at', 'desc')
              .orderBy('r.id', 'desc')
              .limit(1)
              .as('latest'),
          ),
      )
      .execute();
    return rows.map(toRun);
  }

  async finishRun(id: string, finish: RunFinish): Promise<boolean> {
    const result = await this.db
      .updateTable('workflow_runs')
      .set({
        status: finish.status,
        finished_at: finish.finishedAt,
        reset_trigger: finish.trigger ?? null,
        reason: finish.reason ?? null,
      })
      .where('id', '=', id)
      .where('status', '=', 'initialized')
      .executeTakeFirst();
    return changed(result.numUpdatedRows) === 1;
  }

  /**
   * One sweeper at a time across processes (see tryLockExpiry): a process that finds another one sweeping skips this
   * round and expires nothing. Each run is expired by one sweep only: the update re-checks `initialized`.
   */
  async expireRuns(cutoff: string, now: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.store.tryLockExpiry(trx))) return 0;
      const result = await trx
        .updateTable('workflow_runs')
        .set({ status: 'expired', finished_at: now })
        .where('status', '=', 'initialized')
        .where('created_at', '<', cutoff)
        .executeTakeFirst();
      return changed(result.numUpdatedRows);
    });
  }

  async storeAttestation(attestation: AttestationRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const finished = await this.hot.execute(
        trx,
        'finishAttestedRun',
        (arg) =>
          trx
            .updateTable('workflow_runs')
            .set({
              status: 'succeeded',
              finished_at: arg(0),
              attestation_digest: arg(1),
              project_version: arg<string | null>(2),
            })
            .where('id', '=', arg(3))
            .where('status', '=', 'initialized'),
        [attestation.createdAt, attestation.digest, attestation.projectVersion ?? null, attestation.runId],
      );
      if (changed(finished.numAffectedRows) === 0) return false;
      await this.hot.execute(
        trx,
        'insertAttestation',
        (arg) =>
          trx
            .insertInto('attestations')
            .values({
              digest: arg(0),
              run_id: arg(1),
              workflow_id: arg(2),
              bundle: arg(3),
              created_at: arg(4),
              statement_digest: arg<string | null>(5),
            })
            .onConflict((conflict) => conflict.column('digest').doNothing()),
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
    const { rows } = await this.hot.execute(
      this.db,
      'getAttestation',
      (arg) => this.db.selectFrom('attestations').selectAll().where('digest', '=', arg(0)),
      [digest],
    );
    return rows[0] && toAttestation(rows[0]);
  }

  async addWorkflowKey(key: WorkflowKeyRecord): Promise<boolean> {
    const result = await this.db
      .insertInto('workflow_keys')
      .values({
        id: key.id,
        workflow_id: key.workflowId,
        name: key.name,
        public_key_pem: key.publicKeyPem,
        fingerprint: key.fingerprint,
        created_at: key.createdAt,
      })
      .onConflict((conflict) => conflict.columns(['workflow_id', 'fingerprint']).doNothing())
      .executeTakeFirst();
    return changed(result.numInsertedOrUpdatedRows) === 1;
  }

  async listWorkflowKeys(workflowId: string): Promise<WorkflowKeyRecord[]> {
    const { rows } = await this.hot.execute(
      this.db,
      'listWorkflowKeys',
      (arg) =>
        this.db
          .selectFrom('workflow_keys')
          .selectAll()
          .where('workflow_id', '=', arg(0))
          .orderBy('created_at')
          .orderBy('id'),
      [workflowId],
    );
    return rows.map(toWorkflowKey);
  }

  async removeWorkflowKey(workflowId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('workflow_keys')
      .where('workflow_id', '=', workflowId)
      .where('id', '=', id)
      .executeTakeFirst();
    return changed(result.numDeletedRows) === 1;
  }

  async recordSigningCertificate(certificate: SigningCertificateRecord): Promise<void> {
    await this.db
      .insertInto('signing_certificates')
      .values({
        serial: certificate.serial,
        run_id: certificate.runId,
        workflow_id: certificate.workflowId,
        issued_at: certificate.issuedAt,
        expires_at: certificate.expiresAt,
      })
      .execute();
  }

  async getSigningCertificate(serial: string): Promise<SigningCertificateRecord | undefined> {
    const row = await this.db
      .selectFrom('signing_certificates')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row && toSigningCertificate(row);
  }

  async getRunState(runId: string): Promise<RunStateRecord | undefined> {
    const row = await this.db.selectFrom('run_states').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return row && toRunState(row);
  }

  /** Compare-and-set on the ETag: the insert or update changes a row only if the caller saw the current state. */
  async putRunState(state: RunStateRecord, expectedEtag: string | undefined): Promise<boolean> {
    if (expectedEtag === undefined) {
      const inserted = await this.db
        .insertInto('run_states')
        .values({ run_id: state.runId, document: state.document, etag: state.etag, updated_at: state.updatedAt })
        .onConflict((conflict) => conflict.column('run_id').doNothing())
        .executeTakeFirst();
      return changed(inserted.numInsertedOrUpdatedRows) === 1;
    }
    const updated = await this.db
      .updateTable('run_states')
      .set({ document: state.document, etag: state.etag, updated_at: state.updatedAt })
      .where('run_id', '=', state.runId)
      .where('etag', '=', expectedEtag)
      .executeTakeFirst();
    return changed(updated.numUpdatedRows) === 1;
  }

  async deleteRunState(runId: string): Promise<void> {
    await this.db.deleteFrom('run_states').where('run_id', '=', runId).execute();
  }

  async recordBlobUpload(digest: string, workflowId: string): Promise<void> {
    await this.hot.execute(
      this.db,
      'recordBlobUpload',
      (arg) =>
        this.db
          .insertInto('blob_access')
          .values({ digest: arg(0), workflow_id: arg(1) })
          .onConflict((conflict) => conflict.columns(['digest', 'workflow_id']).doNothing()),
      [digest, workflowId],
    );
  }

  async canReadBlob(digest: string, workflowId: string): Promise<boolean> {
    const { rows } = await this.hot.execute(
      this.db,
      'canReadBlob',
      (arg) =>
        this.db
          .selectFrom('blob_access')
          .select(sql<number>`1`.as('found'))
          .where('digest', '=', arg(0))
          .where('workflow_id', '=', arg(1))
          .unionAll(
            this.db
              .selectFrom('attestations')
              .select(sql<number>`1`.as('found'))
              .where('digest', '=', arg(0))
              .where('workflow_id', '=', arg(1)),
          )
          .limit(1),
      [digest, workflowId],
    );
    return rows.length > 0;
  }

  async blobsNotUploadedBy(workflowId: string, digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    // One query whatever the count: the digests travel as one parameter.
    const { rows } = await this.hot.execute(
      this.db,
      'blobsUploadedBy',
      (arg) =>
        this.db
          .selectFrom('blob_access')
          .select('digest')
          .where('workflow_id', '=', arg(0))
          .where((eb) => this.store.inSetParameter(eb.ref('digest'), arg(1))),
      [workflowId, this.store.setParameter(digests)],
    );
    const uploaded = new Set(rows.map((row) => row.digest));
    return digests.filter((digest) => !uploaded.has(digest));
  }

  async createUiSession(session: UiSessionRecord): Promise<void> {
    await this.db
      .insertInto('ui_sessions')
      .values({ id_hash: session.idHash, csrf_token: session.csrfToken, expires_at: session.expiresAt })
      .execute();
  }

  async getUiSession(idHash: string): Promise<UiSessionRecord | undefined> {
    const row = await this.db.selectFrom('ui_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row && toUiSession(row);
  }

  async deleteUiSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('ui_sessions').where('id_hash', '=', idHash).execute();
  }

  async sweepUiSessions(now: string, keep: number): Promise<void> {
    await this.db.deleteFrom('ui_sessions').where('expires_at', '<=', now).execute();
    const { sessions } = await this.db
      .selectFrom('ui_sessions')
      .select((eb) => eb.fn.countAll().as('sessions'))
      .executeTakeFirstOrThrow();
    const excess = Number(sessions) - keep;
    if (excess <= 0) return;
    await this.db
      .deleteFrom('ui_sessions')
      .where('id_hash', 'in', (eb) =>
        eb.selectFrom('ui_sessions').select('id_hash').orderBy('expires_at').orderBy('id_hash').limit(excess),
      )
      .execute();
  }

  async recordDeploymentSetting(
    name: string,
    value: string,
    mode: 'claim' | 'replace',
    now: string,
  ): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Of replicas claiming at once, one inserts; the others find its row (ON CONFLICT waits for its commit).
      const inserted = await trx
        .insertInto('deployment_settings')
        .values({ name, value, updated_at: now })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return undefined;
      const row = await trx
        .selectFrom('deployment_settings')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      if (mode === 'replace' && row.value !== value) {
        await trx.updateTable('deployment_settings').set({ value, updated_at: now }).where('name', '=', name).execute();
      }
      return row.value;
    });
  }

  async readDeploymentSetting(name: string): Promise<string | undefined> {
    const { rows } = await this.hot.execute(
      this.db,
      'readDeploymentSetting',
      (arg) => this.db.selectFrom('deployment_settings').select('value').where('name', '=', arg(0)),
      [name],
    );
    return rows[0]?.value;
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}

/** The runs a filter covers, as a query to select from. */
function filterRuns(db: Db, filter: RunFilter) {
  let query = db.selectFrom('workflow_runs');
  if (filter.workflowId !== undefined) query = query.where('workflow_id', '=', filter.workflowId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.runnerType !== undefined) query = query.where('runner_type', '=', filter.runnerType);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  if (filter.projectVersion !== undefined) query = query.where('project_version', '=', filter.projectVersion);
  return query;
}

function latestContractQuery(db: Db, workflowId: string) {
  return db
    .selectFrom('contract_revisions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('revision', 'desc')
    .limit(1);
}

function latestContract(db: Db, workflowId: string) {
  return latestContractQuery(db, workflowId).executeTakeFirst();
}

function latestPolicy(db: Db, kind: PolicyDocumentKind, name: string) {
  return db
    .selectFrom('policy_documents')
    .selectAll()
    .where('kind', '=', kind)
    .where('name', '=', name)
    .orderBy('revision', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function insertContract(db: Db, contract: ContractRevisionRecord): Promise<void> {
  await db
    .insertInto('contract_revisions')
    .values({
      workflow_id: contract.workflowId,
      revision: contract.revision,
      body: contract.body,
      format: contract.format,
      created_at: contract.createdAt,
    })
    .execute();
}
