/**
 * The tables as migrations.ts creates them, typed for kysely. Every column is TEXT or INTEGER in both databases;
 * times are ISO-8601 UTC strings, so neither driver converts anything on the way in or out.
 */
import type { Generated } from 'kysely';

export interface Tables {
  schema_migrations: { version: number; applied_at: string };
  deployment_settings: { name: string; value: string; updated_at: string };
  workflows: {
    id: string;
    name: string;
    team: string;
    project: string;
    description: string;
    created_at: string;
  };
  contract_revisions: {
    workflow_id: string;
    revision: number;
    body: string;
    format: string;
    created_at: string;
  };
  robot_accounts: {
    id: string;
    workflow_id: string;
    name: string;
    token_hash: string;
    created_at: string;
    revoked_at: string | null;
  };
  workflow_runs: {
    id: string;
    workflow_id: string;
    status: string;
    runner_type: string;
    job_url: string;
    contract_revision: number;
    created_at: string;
    finished_at: Generated<string | null>;
    reset_trigger: Generated<string | null>;
    reason: Generated<string | null>;
    attestation_digest: Generated<string | null>;
    project_version: Generated<string | null>;
  };
  attestations: {
    digest: string;
    run_id: string;
    workflow_id: string;
    bundle: string;
    created_at: string;
    statement_digest: string | null;
  };
  run_states: { run_id: string; document: string; etag: string; updated_at: string };
  blob_access: { digest: string; workflow_id: string };
  workflow_keys: {
    id: string;
    workflow_id: string;
    name: string;
    public_key_pem: string;
    fingerprint: string;
    created_at: string;
  };
  ui_sessions: { id_hash: string; csrf_token: string; expires_at: string };
  policy_documents: {
    kind: string;
    name: string;
    revision: number;
    body: string;
    digest: string;
    created_at: string;
  };
  signing_certificates: {
    serial: string;
    run_id: string;
    workflow_id: string;
    issued_at: string;
    expires_at: string;
  };
}
