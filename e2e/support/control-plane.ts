import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { waitForListening } from '../../packages/control-plane/test/helpers/listening-url';
import { controlPlaneBin } from './paths';

export interface TestControlPlane {
  url: string;
  /** The server process, so a benchmark can read its CPU time and peak RSS from /proc. */
  pid: number;
  adminToken: string;
  dataDir: string;
  /** Everything the server wrote to stderr so far (request log lines). */
  logs(): string;
  /** The complete log lines written since the previous call (or since it started listening). */
  takeLog(): string[];
  admin(): ControlPlaneClient;
  stop(): Promise<void>;
}

/**
 * Starts a real control plane process (the built bin) on an ephemeral loopback port with a fresh data dir and a
 * known admin token. Tests stop it; a crash before it listens fails with its output.
 */
export async function startControlPlane(
  options: {
    dataDir?: string;
    args?: string[];
    adminToken?: string;
    /** Flags for node itself, before the bin (a benchmark's `--cpu-prof`). */
    nodeArgs?: string[];
  } = {},
): Promise<TestControlPlane> {
  if (!existsSync(controlPlaneBin)) throw new Error(`${controlPlaneBin} missing: run npm run build first`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cp-e2e-')));
  const ownsDataDir = options.dataDir === undefined;
  const adminToken = options.adminToken ?? `cl_admin_test_${randomBytes(16).toString('hex')}`;
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      controlPlaneBin,
      'start',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CHAINLOOP_CP_ADMIN_TOKEN: adminToken },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const started = waitForListening(child, 20_000);
  const url = await started.url;
  if (child.pid === undefined) throw new Error('control plane has no pid');
  let taken = started.output().length;
  return {
    url,
    pid: child.pid,
    adminToken,
    dataDir,
    logs: started.output,
    takeLog: () => {
      const output = started.output();
      const end = output.lastIndexOf('\n') + 1;
      const lines = output
        .slice(taken, end)
        .split('\n')
        .filter((line) => line !== '');
      taken = Math.max(taken, end);
      return lines;
    },
    admin: () => new ControlPlaneClient({ baseUrl: url, token: adminToken }),
    stop: async () => {
      await stopProcess(child);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface TestWorkflow {
  workflowId: string;
  robotToken: string;
}

/** Creates a workflow with a contract and a robot account through the admin API. */
export async function createWorkflowWithRobot(
  cp: Pick<TestControlPlane, 'admin'>,
  spec: { name: string; team: string; project: string; contract: string },
): Promise<TestWorkflow> {
  const admin = cp.admin();
  const workflow = await admin.createWorkflow({ name: spec.name, team: spec.team, project: spec.project });
  await admin.updateContract(workflow.id, spec.contract);
  const robot = await admin.createRobotAccount(workflow.id);
  if (!robot.token) throw new Error('robot account created without a token');
  return { workflowId: workflow.id, robotToken: robot.token };
}
