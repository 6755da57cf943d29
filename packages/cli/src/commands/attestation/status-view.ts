import type { AttestationStatus } from '@chainloop-ts/core/crafter';
import { renderGridTable, renderKeyValueTable } from '../../output';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The seed's timestamp style (Go's RFC 822): `02 Nov 22 10:04 UTC`. */
export function formatInitializedAt(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCFullYear() % 100)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/**
 * The init/status tables of the seed; `full` adds the VALUE column and the Runner context table. Async only to import
 * core's crafter here (loaded by then: the caller computed `status` with it) rather than with this module, which every
 * command loads at start (workflow and policy use formatInitializedAt): its modules cost every start ~1 ms.
 */
export async function renderStatusTables(status: AttestationStatus, full: boolean): Promise<string> {
  const { describePolicyEvaluation } = await import('@chainloop-ts/core/crafting-state');
  const general: Array<[string, string]> = [['Initialized At', formatInitializedAt(status.initializedAt)]];
  if (status.attestationId) general.push(['Attestation ID', status.attestationId]);
  general.push(
    ['Workflow', status.workflow.id],
    ['Name', status.workflow.name],
    ['Team', status.workflow.team],
    ['Project', status.workflow.project],
  );
  if (status.workflow.projectVersion) general.push(['Version', status.workflow.projectVersion]);
  general.push(['Contract Revision', String(status.workflow.contractRevision)]);
  if (status.dryRun) general.push(['Dry Run', 'Yes']);
  if (status.runner.url) general.push(['Runner', `${status.runner.type} ${status.runner.url}`]);
  const evaluated = Object.keys(status.policyEvaluations).length > 0;
  // Chainloop's row; shown once a policy ran, or whenever the organisation enforces policies.
  if (evaluated || status.policyCheckBlockingStrategy === 'ENFORCED') {
    general.push(['Policy violation strategy', status.policyCheckBlockingStrategy]);
  }

  const head = ['NAME', 'TYPE', 'SET', 'REQUIRED', 'IS OUTPUT', ...(full ? ['VALUE'] : [])];
  const materialRows = status.materials.map((m) => [
    m.name,
    m.type,
    m.set ? 'Yes' : 'No',
    m.required ? 'Yes' : 'No',
    m.output ? 'x' : '',
    ...(full ? [m.value ?? ''] : []),
  ]);
  const parts = [renderKeyValueTable(general), renderGridTable('Materials', head, materialRows)];
  if (evaluated) {
    const rows = Object.entries(status.policyEvaluations).flatMap(([material, evaluations]) =>
      evaluations.map((evaluation) => [material, describePolicyEvaluation(evaluation)]),
    );
    parts.push(renderGridTable('Policy evaluations', ['MATERIAL', 'POLICY'], rows));
  }
  if (status.envVars.length > 0) {
    parts.push(
      renderKeyValueTable(
        status.envVars.map((v) => [v.name, v.value ?? 'NOT FOUND']),
        'Env Variables',
      ),
    );
  }
  if (full) {
    const variables = Object.entries(status.runner.variables);
    const rows: Array<[string, string]> = variables.length > 0 ? variables : [['RUNNER', status.runner.type]];
    parts.push(renderKeyValueTable(rows, 'Runner context'));
  }
  return parts.join('\n');
}

/** The JSON shape of `status -o json` (and `init -o json`), close to the original's AttestationStatusResult. */
export function statusJson(status: AttestationStatus): Record<string, unknown> {
  return {
    attestationID: status.attestationId ?? '',
    initializedAt: status.initializedAt,
    dryRun: status.dryRun,
    workflowMeta: {
      workflowID: status.workflow.id,
      name: status.workflow.name,
      team: status.workflow.team,
      project: status.workflow.project,
      contractRevision: String(status.workflow.contractRevision),
      contractName: status.workflow.contractName ?? '',
      workflowRunID: status.workflow.runId ?? '',
      // Chainloop's workflowMeta.projectVersion{id, version, prerelease, markAsRelease}: we know the version only.
      ...(status.workflow.projectVersion && { projectVersion: { version: status.workflow.projectVersion } }),
    },
    materials: status.materials.map((m) => ({
      name: m.name,
      type: m.type,
      set: m.set,
      required: m.required,
      isOutput: m.output,
      value: m.value ?? '',
      hash: m.digest ?? '',
      tag: m.tag ?? '',
      annotations: Object.entries(m.annotations).map(([name, value]) => ({ name, value })),
    })),
    envVars: Object.fromEntries(status.envVars.map((v) => [v.name, v.value ?? ''])),
    runnerContext: {
      runnerType: status.runner.type,
      jobURL: status.runner.url ?? '',
      environment: status.runner.environment,
      envVars: status.runner.variables,
    },
    annotations: Object.entries(status.annotations).map(([name, value]) => ({ name, value })),
    // Chainloop's AttestationStatusResult names (snake_case there too).
    policy_evaluations: status.policyEvaluations,
    has_policy_violations: status.hasPolicyViolations,
    must_block_on_policy_violations: status.policyCheckBlockingStrategy === 'ENFORCED',
  };
}
