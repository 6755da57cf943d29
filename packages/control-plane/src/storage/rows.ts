/** Row ↔ record mapping of the repository (same column names in SQLite and PostgreSQL). */
import type {
  AttestationRecord,
  ContractFormat,
  ContractRevisionRecord,
  PolicyDocumentKind,
  PolicyRevisionRecord,
  RobotAccountRecord,
  RunRecord,
  RunStateRecord,
  SigningCertificateRecord,
  UiSessionRecord,
  WorkflowKeyRecord,
  WorkflowRecord,
} from './repository';

export type Row = Record<string, unknown>;

const str = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

export function toWorkflow(row: Row): WorkflowRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    team: String(row.team),
    project: String(row.project),
    description: String(row.description),
    createdAt: String(row.created_at),
  };
}

export function toContract(row: Row): ContractRevisionRecord {
  return {
    workflowId: String(row.workflow_id),
    revision: Number(row.revision),
    body: String(row.body),
    format: row.format as ContractFormat,
    createdAt: String(row.created_at),
  };
}

export function toPolicyRevision(row: Row): PolicyRevisionRecord {
  return {
    kind: row.kind as PolicyDocumentKind,
    name: String(row.name),
    revision: Number(row.revision),
    body: String(row.body),
    digest: String(row.digest),
    createdAt: String(row.created_at),
  };
}

export function toRobotAccount(row: Row): RobotAccountRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    workflowId: String(row.workflow_id),
    createdAt: String(row.created_at),
    revokedAt: str(row.revoked_at),
    tokenHash: String(row.token_hash),
  };
}

export function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    workflowId: String(row.workflow_id),
    status: row.status as RunRecord['status'],
    runnerType: String(row.runner_type),
    jobUrl: String(row.job_url),
    contractRevision: Number(row.contract_revision),
    createdAt: String(row.created_at),
    finishedAt: str(row.finished_at),
    trigger: str(row.reset_trigger) as RunRecord['trigger'],
    reason: str(row.reason),
    attestationDigest: str(row.attestation_digest),
    projectVersion: str(row.project_version),
  };
}

export function toAttestation(row: Row): AttestationRecord {
  return {
    digest: String(row.digest),
    runId: String(row.run_id),
    workflowId: String(row.workflow_id),
    bundle: String(row.bundle),
    createdAt: String(row.created_at),
    statementDigest: str(row.statement_digest),
  };
}

export function toRunState(row: Row): RunStateRecord {
  return {
    runId: String(row.run_id),
    document: String(row.document),
    etag: String(row.etag),
    updatedAt: String(row.updated_at),
  };
}

export function toWorkflowKey(row: Row): WorkflowKeyRecord {
  return {
    id: String(row.id),
    workflowId: String(row.workflow_id),
    name: String(row.name),
    publicKeyPem: String(row.public_key_pem),
    fingerprint: String(row.fingerprint),
    createdAt: String(row.created_at),
  };
}

export function toSigningCertificate(row: Row): SigningCertificateRecord {
  return {
    serial: String(row.serial),
    runId: String(row.run_id),
    workflowId: String(row.workflow_id),
    issuedAt: String(row.issued_at),
    expiresAt: String(row.expires_at),
  };
}

export function toUiSession(row: Row): UiSessionRecord {
  return { idHash: String(row.id_hash), csrfToken: String(row.csrf_token), expiresAt: String(row.expires_at) };
}
