/**
 * Versioned schema migrations, applied in order and recorded in `schema_migrations`. The SQL sticks to the
 * portable subset (TEXT/INTEGER, ON CONFLICT DO NOTHING) so SQLite and PostgreSQL run the same list.
 * Never edit a released migration; append a new one.
 */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
  /**
   * A change to existing rows that SQL alone cannot express, run by the repository after the statements and in the
   * same transaction.
   */
  dataStep?: DataStep;
}

/**
 * `remove-reference-grants`: for every stored attestation, record the sha256 of its statement
 * (`attestations.statement_digest`) and delete the blob access its workflow was granted because the statement named
 * a digest (see legacy-reference-grants.ts). Only uploads grant access since; a robot that had uploaded a blob its
 * own attestation named loses access too (the rows do not say which way they came) and regains it by uploading the
 * bytes again, which `attestation add` does by itself. Admin tokens read every blob throughout.
 */
export type DataStep = 'remove-reference-grants';

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'workflows, contracts, robot accounts, runs, attestations, run state, blob access',
    statements: [
      `CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        team TEXT NOT NULL,
        project TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (project, name)
      )`,
      'CREATE INDEX workflows_by_name ON workflows (name)',
      `CREATE TABLE contract_revisions (
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        revision INTEGER NOT NULL,
        body TEXT NOT NULL,
        format TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workflow_id, revision)
      )`,
      `CREATE TABLE robot_accounts (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      )`,
      `CREATE TABLE workflow_runs (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        status TEXT NOT NULL,
        runner_type TEXT NOT NULL,
        job_url TEXT NOT NULL,
        contract_revision INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        reset_trigger TEXT,
        reason TEXT,
        attestation_digest TEXT
      )`,
      'CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, created_at)',
      'CREATE INDEX workflow_runs_by_status ON workflow_runs (status, created_at)',
      `CREATE TABLE attestations (
        digest TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES workflow_runs (id),
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        bundle TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE run_states (
        run_id TEXT PRIMARY KEY REFERENCES workflow_runs (id),
        document TEXT NOT NULL,
        etag TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE TABLE blob_access (
        digest TEXT NOT NULL,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        PRIMARY KEY (digest, workflow_id)
      )`,
    ],
  },
  {
    version: 2,
    description: 'public keys registered per workflow, which key-signed attestations must verify with',
    statements: [
      `CREATE TABLE workflow_keys (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        name TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (workflow_id, fingerprint)
      )`,
    ],
  },
  {
    version: 3,
    description: 'keyless signing certificates issued, by serial, with the run they were issued for',
    statements: [
      `CREATE TABLE signing_certificates (
        serial TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES workflow_runs (id),
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    description:
      'blob access comes from uploads only (grants from attestation references removed); statement digest of attestations',
    statements: ['ALTER TABLE attestations ADD COLUMN statement_digest TEXT'],
    dataStep: 'remove-reference-grants',
  },
  {
    version: 5,
    description:
      'settings every control plane on one database must agree on (the admin token hash, the keyless CA fingerprint)',
    statements: [
      `CREATE TABLE deployment_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 6,
    description:
      "runs by creation time across workflows: the web UI lists every workflow's runs newest first and counts each day's",
    statements: ['CREATE INDEX workflow_runs_by_created ON workflow_runs (created_at)'],
  },
  {
    version: 7,
    description:
      'web UI sessions in the database, so a session cookie works on every control plane behind the load balancer',
    statements: [
      `CREATE TABLE ui_sessions (
        id_hash TEXT PRIMARY KEY,
        csrf_token TEXT NOT NULL,
        expires_at TEXT NOT NULL
      )`,
      'CREATE INDEX ui_sessions_by_expiry ON ui_sessions (expires_at)',
    ],
  },
  {
    version: 8,
    description:
      "each run's project version (the statement's metadata.projectVersion, recorded at push): the web UI finds release 1.4 by it",
    statements: [
      'ALTER TABLE workflow_runs ADD COLUMN project_version TEXT',
      'CREATE INDEX workflow_runs_by_version ON workflow_runs (workflow_id, project_version)',
    ],
  },
  {
    version: 9,
    description:
      'policies and policy groups stored by name with revisions (organisation-wide): contracts refer to them as ref: name[@revision]',
    statements: [
      `CREATE TABLE policy_documents (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        revision INTEGER NOT NULL,
        body TEXT NOT NULL,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (kind, name, revision)
      )`,
    ],
  },
];
