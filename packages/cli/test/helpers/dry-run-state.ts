import { writeFileSync } from 'node:fs';

/**
 * Writes a local crafting state as `attestation init --dry-run` leaves it, so bundle tests can run `add` and `status`
 * without a control plane. Contract materials and already added materials may be given.
 */
export function writeDryRunState(
  path: string,
  content: { contractMaterials?: unknown[]; materials?: Record<string, unknown> } = {},
): void {
  const state = {
    version: 1,
    dryRun: true,
    initializedAt: '2026-01-01T00:00:00Z',
    workflow: { id: 'w', name: 'w', team: 't', project: 'p', contractRevision: 1 },
    contract: { form: 'v1', materials: content.contractMaterials ?? [], envAllowList: [], annotations: [] },
    materials: content.materials ?? {},
    envVars: {},
    runner: { type: 'RUNNER_TYPE_UNSPECIFIED', environment: 'unknown', variables: {} },
    annotations: {},
  };
  writeFileSync(path, JSON.stringify(state));
}
