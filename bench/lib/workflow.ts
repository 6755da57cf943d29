import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchControlPlane } from './control-plane';
import { benchFixtures } from './paths';

export const benchContract = readFileSync(join(benchFixtures, 'bench-contract.yaml'), 'utf8');

/** A workflow with the bench contract and a robot account; returns the robot's token. */
export async function createBenchWorkflow(cp: BenchControlPlane, name: string): Promise<string> {
  const admin = cp.admin();
  const workflow = await admin.createWorkflow({ name, team: 'bench', project: 'chainloop-ts' });
  await admin.updateContract(workflow.id, benchContract);
  const robot = await admin.createRobotAccount(workflow.id);
  if (!robot.token) throw new Error(`robot account of ${name} created without a token`);
  return robot.token;
}
