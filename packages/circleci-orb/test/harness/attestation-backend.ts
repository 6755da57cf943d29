import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { WorkflowRun } from '@chainloop-ts/core/client';
import {
  createWorkflowWithRobot,
  startControlPlane,
  type TestControlPlane,
} from '../../../../e2e/support/control-plane';
import { cliBundle, vectors } from '../../../../e2e/support/paths';
import type { Pipeline } from './circleci-env';
import type { ConfigDefinition, OrbDefinition } from './config-model';
import { ORB_NAME, packOrbTo } from './orb-files';
import { createRepository } from './repository';
import { runWorkflow, type WorkflowResult, type WorkflowRunOptions } from './run-workflow';

const contractFile = join(import.meta.dirname, '..', 'fixtures', 'contract.yaml');
const keyPassword = 'correct horse battery staple';

export interface AttestationBackend {
  controlPlane: TestControlPlane;
  workflowId: string;
  orb: OrbDefinition;
  publicKeyPem: string;
  /** SHA-256 of the CLI this control plane serves to chainloop/install (packages/cli/dist/chainloop.cjs). */
  cliSha256: string;
  /** The secrets the "chainloop" context holds: none may appear in a log. */
  secrets: string[];
  /** The "chainloop" context: CHAINLOOP_TOKEN, CHAINLOOP_CONTROL_PLANE_API, CHAINLOOP_SIGNING_KEY and _PASSWORD. */
  context: Record<string, string>;
  dir: string;
  /**
   * Runs a config (an example's usage, say) as a CircleCI pipeline against this control plane, as written: its
   * chainloop/install steps download the CLI from this control plane (which serves packages/cli/dist/chainloop.cjs).
   * Each run is a new pipeline: a fresh repository, containers and workspace, build numbers from 100 × (its number).
   */
  run(
    config: ConfigDefinition,
    options?: Partial<Pick<WorkflowRunOptions, 'cancel' | 'contexts'>>,
  ): Promise<{ result: WorkflowResult; pipeline: Pipeline }>;
  /** The control plane's run for a job (found by its CIRCLE_BUILD_URL, which Chainloop records as the job URL). */
  runOf(job: { buildUrl: string }): Promise<WorkflowRun>;
  stop(): Promise<void>;
}

/**
 * A real control plane with a CircleCI workflow (fixtures/contract.yaml), a robot account and a cosign key, plus the
 * packed orb: what the examples need to run end to end. The "chainloop" context carries the token, URL, key and
 * password the way a CircleCI context would.
 */
export async function startAttestationBackend(
  options: {
    controlPlaneArgs?: string[] /** The workflow's contract (YAML); default fixtures/contract.yaml. */;
    contract?: string;
  } = {},
): Promise<AttestationBackend> {
  // The control plane serves this file to the jobs' chainloop/install (GET /v1/downloads/chainloop.cjs).
  if (!existsSync(cliBundle)) throw new Error(`${cliBundle} missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'circleci-orb-'));
  const { orb } = packOrbTo(join(dir, 'orb.yml'));
  const controlPlane = await startControlPlane({ args: options.controlPlaneArgs });
  const { workflowId, robotToken } = await createWorkflowWithRobot(controlPlane, {
    name: 'build-and-test',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: options.contract ?? readFileSync(contractFile, 'utf8'),
  });
  const privateKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.key'), 'utf8');
  const context = {
    CHAINLOOP_TOKEN: robotToken,
    CHAINLOOP_CONTROL_PLANE_API: controlPlane.url,
    CHAINLOOP_SIGNING_KEY: privateKeyPem,
    CHAINLOOP_SIGNING_PASSWORD: keyPassword,
  };
  let runs = 0;
  return {
    controlPlane,
    workflowId,
    orb,
    publicKeyPem: readFileSync(join(vectors, 'keys', 'generated__p256_N65536.pub'), 'utf8'),
    cliSha256: createHash('sha256').update(readFileSync(cliBundle)).digest('hex'),
    context,
    secrets: [robotToken, keyPassword, ...privateKeyPem.split('\n').filter((line) => line.length > 40)],
    dir,
    async run(config, runOptions = {}) {
      runs += 1;
      const runDir = join(dir, `pipeline-${runs}`);
      const pipeline = createRepository(join(runDir, 'repository'));
      const result = await runWorkflow(config, {
        orbs: { [ORB_NAME]: orb },
        pipeline,
        ...runOptions,
        contexts: { chainloop: context, ...runOptions.contexts },
        dir: runDir,
        path: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
        firstBuildNumber: runs * 100 + 1,
      });
      return { result, pipeline };
    },
    async runOf(job) {
      const runs = await controlPlane.admin().listRuns({ workflow: workflowId });
      const found = runs.filter((run) => run.jobUrl === job.buildUrl);
      if (found.length !== 1) throw new Error(`expected one run for ${job.buildUrl}, found ${JSON.stringify(runs)}`);
      return found[0];
    },
    async stop() {
      await controlPlane.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
