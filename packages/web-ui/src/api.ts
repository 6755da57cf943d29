/**
 * The control plane's API as the UI calls it: same origin, authenticated by the session cookie (HttpOnly, so this
 * script never sees it). State-changing requests send the CSRF token the sign-in returned.
 */

export interface Workflow {
  id: string;
  name: string;
  team: string;
  project: string;
  description: string;
  createdAt: string;
}

export const RUN_STATUSES = ['initialized', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface Run {
  id: string;
  workflowId: string;
  workflowName: string;
  status: RunStatus;
  runnerType: string;
  jobUrl: string;
  contractRevision: number;
  createdAt: string;
  finishedAt?: string;
  trigger?: 'failure' | 'cancellation';
  reason?: string;
  attestationDigest?: string;
  projectVersion?: string;
}

export type DayCounts = { date: string } & Record<RunStatus, number>;

export interface WorkflowActivity {
  workflowId: string;
  latestRun?: { id: string; status: RunStatus; createdAt: string };
  runsInPeriod: number;
  perDay: DayCounts[];
}

export interface Activity {
  days: string[];
  workflows: WorkflowActivity[];
}

export interface RunFilter {
  workflow?: string;
  status?: string;
  runner?: string;
  version?: string;
  since?: string;
  until?: string;
}

export interface RunPage {
  runs: Run[];
  total: number;
}

export interface Material {
  name: string;
  kind: string;
  value?: string;
  fileName?: string;
  imageName?: string;
  digest: string;
  size?: number;
  downloadable: boolean;
  annotations: Record<string, string>;
}

export type Signer =
  | { kind: 'key'; keyId?: string; keyName?: string; fingerprint?: string }
  | { kind: 'certificate'; subject: string; issuer: string; serial: string; notBefore: string; notAfter: string }
  | { kind: 'unknown' };

/** One policy evaluation as the run's signed statement records it (untrusted text: evaluated in CI, not checked). */
export interface PolicyEvaluation {
  /** Empty for attestation-level policies. */
  materialName: string;
  name: string;
  reference?: { uri: string; digest: string };
  group?: string;
  gate: boolean;
  skipped: boolean;
  skipReasons: string[];
  violations: Array<{ subject: string; message: string }>;
}

export interface RecordedPolicies {
  hasViolations: boolean;
  /** ADVISORY or ENFORCED; empty when the statement records none. */
  blockingStrategy: string;
  bypassed: boolean;
  attBlocked: boolean;
  evaluations: PolicyEvaluation[];
}

export interface RunDetail {
  run: Run;
  timeline: Array<{ event: string; at: string; reason?: string }>;
  attestation?: {
    digest: string;
    createdAt: string;
    statement: string;
    materials: Material[];
    env: Record<string, string>;
    annotations: Record<string, string>;
    runnerUrl?: string;
    policies: RecordedPolicies;
  };
  verification?: { verified: boolean; signer: Signer; reason?: string };
  offlineVerification?: { command: string; materialFileName: string };
}

export interface ContractRevision {
  workflowId: string;
  revision: number;
  body: string;
  format: 'yaml' | 'json';
  createdAt: string;
}

export interface RobotAccount {
  id: string;
  name: string;
  workflowId: string;
  createdAt: string;
  revokedAt?: string;
  token?: string;
}

export interface WorkflowKey {
  id: string;
  workflowId: string;
  name: string;
  fingerprint: string;
  publicKeyPem: string;
  createdAt: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CSRF_KEY = 'chainloop.csrf';

/** Kept per tab (sessionStorage): a reload keeps the session usable; closing the tab forgets it. */
export const csrfToken = {
  get: () => sessionStorage.getItem(CSRF_KEY) ?? undefined,
  set: (token: string) => sessionStorage.setItem(CSRF_KEY, token),
  clear: () => sessionStorage.removeItem(CSRF_KEY),
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken.get();
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const message =
      parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string'
        ? parsed.message
        : `${method} ${path} answered ${response.status}`;
    throw new ApiFailure(response.status, message);
  }
  return parsed as T;
}

const segment = encodeURIComponent;

export async function signIn(token: string): Promise<void> {
  const { csrfToken: csrf } = await call<{ csrfToken: string }>('POST', '/v1/ui/session', { token });
  csrfToken.set(csrf);
}

export async function signOut(): Promise<void> {
  try {
    await call<void>('DELETE', '/v1/ui/session');
  } finally {
    csrfToken.clear();
  }
}

export async function listWorkflows(): Promise<Workflow[]> {
  return (await call<{ workflows: Workflow[] }>('GET', '/v1/workflows')).workflows;
}

export function getWorkflow(ref: string): Promise<Workflow> {
  return call<Workflow>('GET', `/v1/workflows/${segment(ref)}`);
}

export function getActivity(days: number): Promise<Activity> {
  return call<Activity>('GET', `/v1/workflows/activity?days=${days}`);
}

export function listRuns(filter: RunFilter, limit: number, offset: number): Promise<RunPage> {
  const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
  return call<RunPage>('GET', `/v1/runs?${query}`);
}

export function getRunDetail(id: string): Promise<RunDetail> {
  return call<RunDetail>('GET', `/v1/runs/${segment(id)}/detail`);
}

/** Download links: plain GETs the browser makes with the cookie; the control plane names the file. */
export const downloads = {
  bundle: (runId: string) => `/v1/runs/${segment(runId)}/bundle`,
  envelope: (runId: string) => `/v1/runs/${segment(runId)}/envelope`,
  verificationMaterial: (runId: string) => `/v1/runs/${segment(runId)}/verification-material`,
  blob: (digest: string, name: string) => `/v1/cas/${segment(digest)}?${new URLSearchParams({ name })}`,
};

export async function listContractRevisions(workflow: string): Promise<ContractRevision[]> {
  return (await call<{ revisions: ContractRevision[] }>('GET', `/v1/workflows/${segment(workflow)}/contract/revisions`))
    .revisions;
}

export async function listRobotAccounts(workflow: string): Promise<RobotAccount[]> {
  return (await call<{ robotAccounts: RobotAccount[] }>('GET', `/v1/workflows/${segment(workflow)}/robot-accounts`))
    .robotAccounts;
}

export function createRobotAccount(workflow: string, name: string | undefined): Promise<RobotAccount> {
  return call<RobotAccount>('POST', `/v1/workflows/${segment(workflow)}/robot-accounts`, name ? { name } : {});
}

export function revokeRobotAccount(workflow: string, id: string): Promise<RobotAccount> {
  return call<RobotAccount>('DELETE', `/v1/workflows/${segment(workflow)}/robot-accounts/${segment(id)}`);
}

export async function listWorkflowKeys(workflow: string): Promise<WorkflowKey[]> {
  return (await call<{ keys: WorkflowKey[] }>('GET', `/v1/workflows/${segment(workflow)}/keys`)).keys;
}

export function addWorkflowKey(workflow: string, publicKeyPem: string, name: string | undefined): Promise<WorkflowKey> {
  return call<WorkflowKey>('POST', `/v1/workflows/${segment(workflow)}/keys`, {
    publicKeyPem,
    ...(name ? { name } : {}),
  });
}

export function removeWorkflowKey(workflow: string, id: string): Promise<void> {
  return call<void>('DELETE', `/v1/workflows/${segment(workflow)}/keys/${segment(id)}`);
}
