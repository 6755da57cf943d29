import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, type CliResult, runCli } from './cli';
import { createWorkflowWithRobot, type TestControlPlane } from './control-plane';
import { githubActionsEnv } from './crafting';

/** Two required materials, one of them a file uploaded to the CAS and recorded as a subject. */
export const JOB_CONTRACT = `schemaVersion: v1
materials:
  - name: rootfs
    type: ARTIFACT
    output: true
  - name: build-ref
    type: STRING
runner:
  type: GITHUB_ACTION
`;

export interface CraftingJob {
  workflowId: string;
  robotToken: string;
  cwd: string;
  /** The job's local crafting state file: the default one, in the job's TMPDIR. */
  statePath: string;
  /** The bundled CLI in the job's workspace and environment (GitHub Actions, the robot token, the control plane). */
  cli(args: string[], extra?: Record<string, string>): Promise<CliResult>;
  /** `attestation init` and the two `add`s, each asserted to exit 0. */
  craft(): Promise<void>;
}

/**
 * A CI job (a simulated GitHub Actions workspace under `parent`) crafting for a fresh workflow of `cp`; `controlPlaneUrl`
 * is where its CLI commands go (the control plane itself unless a test puts something in between).
 */
export async function craftingJob(
  cp: TestControlPlane,
  name: string,
  parent: string,
  options: { controlPlaneUrl?: string } = {},
): Promise<CraftingJob> {
  const workflow = await createWorkflowWithRobot(cp, {
    name,
    team: 'cyberdyne core',
    project: 'skynet',
    contract: JOB_CONTRACT,
  });
  const cwd = mkdtempSync(join(parent, `${name}-`));
  writeFileSync(join(cwd, 'rootfs.tar.gz'), 'rootfs\n');
  const statePath = join(cwd, 'chainloop-attestation.tmp.json');
  const env = baseEnv({
    ...githubActionsEnv(),
    CHAINLOOP_ROBOT_ACCOUNT: workflow.robotToken,
    CHAINLOOP_CONTROL_PLANE_API: options.controlPlaneUrl ?? cp.url,
    TMPDIR: cwd,
  });
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra }, cwd });
  const craft = async () => {
    const init = await cli(['attestation', 'init']);
    assert.equal(init.status, 0, init.stderr);
    for (const [material, value] of [
      ['rootfs', 'rootfs.tar.gz'],
      ['build-ref', 'a206e709cc21b1bf8e262604a23f9d0fc51a293a'],
    ]) {
      const add = await cli(['attestation', 'add', '--name', material, '--value', value]);
      assert.equal(add.status, 0, add.stderr);
    }
  };
  return { ...workflow, cwd, statePath, cli, craft };
}
