import type { CraftingState } from '../../src/crafter/state';

/** A crafting state shaped like the seed's `build-and-test` workflow after init. */
export function seedState(overrides: Partial<CraftingState> = {}): CraftingState {
  return {
    version: 1,
    dryRun: false,
    initializedAt: '2022-11-02T10:04:00.000Z',
    workflow: {
      id: '2d289d33-8241-47b7-9ea2-8bd8b7c126f8',
      name: 'build-and-test',
      team: 'cyberdyne core',
      project: 'skynet',
      contractRevision: 2,
      runId: 'c5a3b9d2-0000-4000-8000-000000000001',
    },
    contract: {
      form: 'v1',
      materials: [
        {
          name: 'skynet-control-plane',
          type: 'CONTAINER_IMAGE',
          optional: false,
          output: true,
          skipUpload: false,
          annotations: [],
        },
        { name: 'rootfs', type: 'ARTIFACT', optional: false, output: false, skipUpload: false, annotations: [] },
        { name: 'dockerfile', type: 'ARTIFACT', optional: true, output: false, skipUpload: false, annotations: [] },
        { name: 'build-ref', type: 'STRING', optional: false, output: false, skipUpload: false, annotations: [] },
        {
          name: 'skynet-sbom',
          type: 'SBOM_CYCLONEDX_JSON',
          optional: false,
          output: false,
          skipUpload: false,
          annotations: [],
        },
      ],
      envAllowList: ['GITHUB_REF', 'GITHUB_RUN_ID', 'GITHUB_REPOSITORY'],
      annotations: [],
    },
    materials: {},
    envVars: {},
    runner: { type: 'RUNNER_TYPE_UNSPECIFIED', environment: 'unknown', variables: {} },
    annotations: {},
    ...overrides,
  };
}
