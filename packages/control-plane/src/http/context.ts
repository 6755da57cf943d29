import type { AttestationVerifier } from '../attestation-verifier';
import type { Principal } from '../auth/principal';
import type { UiSessions } from '../auth/ui-sessions';
import type { CasBackend } from '../cas/backend';
import type { ControlPlaneConfig } from '../config';
import type { CliBundleSource } from '../downloads/cli-bundle';
import type { UiAssetSource } from '../downloads/ui-assets';
import type { AttestationInspector } from '../intake/inspection-pool';
import type { ControlPlaneMetrics } from '../metrics';
import type { SigningCa } from '../signing/signing-ca';
import type { Repository, RunRecord, WorkflowRecord } from '../storage/repository';
import { ApiError, badRequest, notFound } from './api-error';

/** What every route handler needs, built once per server. */
export interface ServerContext {
  config: ControlPlaneConfig;
  repository: Repository;
  cas: CasBackend;
  metrics: ControlPlaneMetrics;
  verifier: AttestationVerifier;
  /** Parses and checks pushed attestations off the event loop. */
  inspector: AttestationInspector;
  /** Issues keyless signing certificates; bundles with a certificate must chain to it. */
  signingCa: SigningCa;
  adminTokenHash: string;
  /** The CLI handed to CI jobs at /v1/downloads/chainloop.cjs. */
  cliBundle: CliBundleSource;
  /** The web UI's browser sessions (in the database, shared by every replica). */
  uiSessions: UiSessions;
  /** The web UI's static files, served at / and /ui/. */
  uiAssets: UiAssetSource;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `W` on the command line: a workflow id, or a name that is unique across projects. */
export async function resolveWorkflow(repository: Repository, ref: string): Promise<WorkflowRecord> {
  if (UUID.test(ref)) {
    const byId = await repository.getWorkflow(ref.toLowerCase());
    if (byId) return byId;
  }
  const byName = await repository.findWorkflowsByName(ref);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    const projects = byName.map((workflow) => workflow.project).join(', ');
    throw badRequest(
      'WORKFLOW_AMBIGUOUS',
      `workflow name "${ref}" exists in several projects (${projects}): pass the workflow id instead (chainloop workflow list)`,
    );
  }
  throw notFound('WORKFLOW_NOT_FOUND', `workflow "${ref}" not found: list workflows with chainloop workflow list`);
}

/** A run the caller may see: admins see all, a robot only its workflow's runs (others are "not found", never data). */
export async function loadVisibleRun(repository: Repository, principal: Principal, id: string): Promise<RunRecord> {
  const run = await repository.getRun(id);
  if (!run || (principal.kind === 'robot' && run.workflowId !== principal.workflowId)) {
    throw notFound('RUN_NOT_FOUND', `workflow run ${id} not found: check the run id (chainloop workflow run list)`);
  }
  return run;
}

export async function robotWorkflow(repository: Repository, principal: Principal): Promise<WorkflowRecord> {
  if (principal.kind !== 'robot') throw new ApiError(403, 'FORBIDDEN', 'this endpoint needs a robot account token');
  const workflow = await repository.getWorkflow(principal.workflowId);
  if (!workflow) throw notFound('WORKFLOW_NOT_FOUND', "the robot account's workflow no longer exists");
  return workflow;
}

export function presentRun(run: RunRecord, workflowName: string) {
  return { ...run, workflowName };
}

/** A robot account as the API shows it: never its token hash. */
export function presentRobotAccount<T extends { tokenHash: string }>(account: T): Omit<T, 'tokenHash'> {
  const { tokenHash: _hidden, ...visible } = account;
  return visible;
}
