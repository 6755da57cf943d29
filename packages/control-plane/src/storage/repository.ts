/**
 * The storage seam: every route talks to this interface, never to SQL. Methods are async so a PostgreSQL
 * implementation can follow the SQLite one without touching the routes. Times are ISO-8601 UTC strings.
 */
export interface WorkflowRecord {
  id: string;
  name: string;
  team: string;
  project: string;
  description: string;
  createdAt: string;
}

export type ContractFormat = 'yaml' | 'json';

export interface ContractRevisionRecord {
  workflowId: string;
  revision: number;
  body: string;
  format: ContractFormat;
  createdAt: string;
}

/** What a stored policy document is: a `kind: Policy` or a `kind: PolicyGroup` document. */
export type PolicyDocumentKind = 'policy' | 'policy-group';

/** One revision of a policy or policy group, organisation-wide, by name (its metadata.name). */
export interface PolicyRevisionRecord {
  kind: PolicyDocumentKind;
  name: string;
  revision: number;
  /** The document exactly as uploaded, YAML or JSON. */
  body: string;
  /** `sha256:<hex>` of the body's UTF-8 bytes: what a contract's `@sha256:` pin is checked against. */
  digest: string;
  createdAt: string;
}

export interface RobotAccountRecord {
  id: string;
  name: string;
  workflowId: string;
  createdAt: string;
  revokedAt?: string;
  /** sha256 hex of the token; the token itself is never stored. */
  tokenHash: string;
}

export const RUN_STATUSES = ['initialized', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type ResetTrigger = 'failure' | 'cancellation';

export interface RunRecord {
  id: string;
  workflowId: string;
  status: RunStatus;
  runnerType: string;
  jobUrl: string;
  contractRevision: number;
  createdAt: string;
  finishedAt?: string;
  trigger?: ResetTrigger;
  reason?: string;
  attestationDigest?: string;
  /** The pushed statement's metadata.projectVersion (`attestation init --project-version`), when it has one. */
  projectVersion?: string;
}

export interface AttestationRecord {
  digest: string;
  runId: string;
  workflowId: string;
  bundle: string;
  createdAt: string;
  /** sha256 of the signed statement (DSSE payload): a retried push of the same statement is recognised by it. */
  statementDigest?: string;
  /** The statement's metadata.projectVersion: recorded on the run it finishes, not with the attestation. */
  projectVersion?: string;
}

/** A public key registered for a workflow: key-signed attestations of the workflow must verify with one of them. */
export interface WorkflowKeyRecord {
  id: string;
  workflowId: string;
  name: string;
  /** SPKI PEM, normalised. */
  publicKeyPem: string;
  /** `sha256:<hex>` of the SPKI DER: the same key registered twice is one key. */
  fingerprint: string;
  createdAt: string;
}

/** A keyless signing certificate we issued: which run's key it certifies (the certificate names the workflow). */
export interface SigningCertificateRecord {
  /** Serial number, upper-case hex as Node's X509Certificate prints it. */
  serial: string;
  runId: string;
  workflowId: string;
  issuedAt: string;
  expiresAt: string;
}

/** A web UI session: the cookie holds a random id, the store only its hash. */
export interface UiSessionRecord {
  /** sha256 hex of the session id. */
  idHash: string;
  /** What every state-changing request of the session sends as X-CSRF-Token. */
  csrfToken: string;
  expiresAt: string;
}

export interface RunStateRecord {
  runId: string;
  document: string;
  etag: string;
  updatedAt: string;
}

/** Which runs a listing or count covers; every given condition must hold. */
export interface RunFilter {
  workflowId?: string;
  status?: RunStatus;
  /** Exact runner type, e.g. GITHUB_ACTION. */
  runnerType?: string;
  /** createdAt >= since (ISO-8601 UTC, as stored). */
  since?: string;
  /** createdAt < until (ISO-8601 UTC, as stored). */
  until?: string;
  /** Exact project version. */
  projectVersion?: string;
}

/** How many runs of a workflow were created on one UTC day with one status. */
export interface RunDayCount {
  workflowId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  status: RunStatus;
  count: number;
}

export interface RunFinish {
  status: Exclude<RunStatus, 'initialized'>;
  finishedAt: string;
  trigger?: ResetTrigger;
  reason?: string;
}

export interface Repository {
  /** Creates the workflow and its first contract revision together; false when the name is taken in the project. */
  createWorkflow(workflow: WorkflowRecord, firstContract: ContractRevisionRecord): Promise<boolean>;
  listWorkflows(): Promise<WorkflowRecord[]>;
  getWorkflow(id: string): Promise<WorkflowRecord | undefined>;
  findWorkflowsByName(name: string): Promise<WorkflowRecord[]>;

  /** Appends revision latest+1, unless the body equals the latest one, which is returned unchanged. */
  addContractRevision(
    workflowId: string,
    body: string,
    format: ContractFormat,
    createdAt: string,
  ): Promise<{ revision: ContractRevisionRecord; created: boolean }>;
  /** The given revision, or the latest when `revision` is undefined. */
  getContractRevision(workflowId: string, revision?: number): Promise<ContractRevisionRecord | undefined>;
  /** Every revision of the workflow's contract, oldest first. */
  listContractRevisions(workflowId: string): Promise<ContractRevisionRecord[]>;

  /**
   * Appends revision latest+1 of the named policy (or group), unless the body equals the latest one, which is
   * returned unchanged. Revisions of one name are numbered 1, 2, … without gaps, whichever process adds them.
   */
  addPolicyRevision(
    document: Omit<PolicyRevisionRecord, 'revision'>,
  ): Promise<{ revision: PolicyRevisionRecord; created: boolean }>;
  /** The given revision, or the latest when `revision` is undefined. */
  getPolicyRevision(
    kind: PolicyDocumentKind,
    name: string,
    revision?: number,
  ): Promise<PolicyRevisionRecord | undefined>;
  /** The latest revision of every policy (or group) of the kind, by name. */
  listLatestPolicies(kind: PolicyDocumentKind): Promise<PolicyRevisionRecord[]>;

  createRobotAccount(account: RobotAccountRecord): Promise<void>;
  getRobotAccount(id: string): Promise<RobotAccountRecord | undefined>;
  findRobotAccountByTokenHash(tokenHash: string): Promise<RobotAccountRecord | undefined>;
  listRobotAccounts(workflowId: string): Promise<RobotAccountRecord[]>;
  /** Sets revokedAt once; revoking again keeps the first time. */
  revokeRobotAccount(id: string, revokedAt: string): Promise<RobotAccountRecord | undefined>;

  createRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first (createdAt, then id, both descending): one page of the runs the filter covers. */
  listRuns(filter: RunFilter & { limit: number; offset?: number }): Promise<RunRecord[]>;
  /** How many runs the filter covers, all pages together. */
  countRuns(filter: RunFilter): Promise<number>;
  /** Runs created at or after `since`, counted per workflow, UTC day and status by the database. */
  countRunsPerDay(since: string): Promise<RunDayCount[]>;
  /** The newest run of every workflow that has one. */
  latestRuns(): Promise<RunRecord[]>;
  /** Moves an `initialized` run to a final status; false (nothing changed) when it was no longer initialized. */
  finishRun(id: string, finish: RunFinish): Promise<boolean>;
  /** Marks runs initialized before `cutoff` as expired; returns how many. */
  expireRuns(cutoff: string, now: string): Promise<number>;

  /**
   * Stores the attestation and marks its `initialized` run succeeded, atomically. Returns false (nothing stored)
   * when the run was no longer initialized.
   */
  storeAttestation(attestation: AttestationRecord): Promise<boolean>;
  getAttestation(digest: string): Promise<AttestationRecord | undefined>;

  /** False (nothing stored) when the workflow already has a key with this fingerprint. */
  addWorkflowKey(key: WorkflowKeyRecord): Promise<boolean>;
  /** Oldest first. */
  listWorkflowKeys(workflowId: string): Promise<WorkflowKeyRecord[]>;
  /** False when the workflow has no key with this id. */
  removeWorkflowKey(workflowId: string, id: string): Promise<boolean>;

  recordSigningCertificate(certificate: SigningCertificateRecord): Promise<void>;
  getSigningCertificate(serial: string): Promise<SigningCertificateRecord | undefined>;

  getRunState(runId: string): Promise<RunStateRecord | undefined>;
  /** Optimistic concurrency: `expectedEtag` undefined means "only if there is no state yet". False on a conflict. */
  putRunState(state: RunStateRecord, expectedEtag: string | undefined): Promise<boolean>;
  deleteRunState(runId: string): Promise<void>;

  /**
   * Records that a robot of the workflow uploaded the blob's bytes in full (a digest-checked upload is proof of
   * possession), so its robots may read it. Nothing else grants read access to a blob.
   */
  recordBlobUpload(digest: string, workflowId: string): Promise<void>;
  /** Whether a robot of the workflow uploaded the blob, or the digest is one of the workflow's stored attestations. */
  canReadBlob(digest: string, workflowId: string): Promise<boolean>;
  /** Those of `digests` no robot of the workflow uploaded, in the order given. */
  blobsNotUploadedBy(workflowId: string, digests: string[]): Promise<string[]>;

  createUiSession(session: UiSessionRecord): Promise<void>;
  getUiSession(idHash: string): Promise<UiSessionRecord | undefined>;
  deleteUiSession(idHash: string): Promise<void>;
  /**
   * Removes the sessions expired at `now`, then the soonest to expire beyond the newest `keep`, so sign-ins cannot
   * grow the table without bound.
   */
  sweepUiSessions(now: string, keep: number): Promise<void>;

  /**
   * A setting every control plane on this database must agree on. `claim` records `value` only when none is recorded;
   * `replace` records it whatever was there. Answers what was recorded before (undefined when nothing was).
   */
  recordDeploymentSetting(
    name: string,
    value: string,
    mode: 'claim' | 'replace',
    now: string,
  ): Promise<string | undefined>;
  /** The recorded value of a deployment setting; undefined when none was recorded. */
  readDeploymentSetting(name: string): Promise<string | undefined>;
  /** Throws when the store cannot answer (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
