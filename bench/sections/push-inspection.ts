import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { probeHealthWhile } from '../../packages/control-plane/test/helpers/health-probe';
import { bundleWith } from '../../packages/control-plane/test/helpers/unsigned-bundle';
import type { BenchContext } from '../lib/bench-context';
import { median } from '../lib/stats';

const SECTION = '5 control plane load';
const BUDGET_MS = 100;

/**
 * While one robot pushes a 24 MB statement naming 200,000 digests (refused: over --max-materials), how long does any
 * other request wait? The inspection runs in a worker thread, so the slowest /healthz answer stays short. The
 * bounded-push test only checks that answers keep coming; the figure lives here.
 */
export async function benchPushInspection(ctx: BenchContext): Promise<void> {
  const admin = ctx.cp.admin();
  const workflow = await admin.createWorkflow({ name: 'big-pusher', team: 'bench', project: 'load' });
  await admin.updateContract(workflow.id, 'schemaVersion: v1\n');
  const token = (await admin.createRobotAccount(workflow.id)).token ?? '';
  const robot = new ControlPlaneClient({ baseUrl: ctx.cp.url, token, retries: 0 });
  const materials = ctx.options.smoke ? 20_000 : 200_000;
  const body = JSON.stringify({ bundle: bundleWith(materials) });
  const slowest: number[] = [];
  for (let round = 0; round < ctx.options.warmUps + ctx.options.runs; round++) {
    const run = await robot.createRun({ contractRevision: 1, runnerType: 'GITHUB_ACTION' });
    const pushed = fetch(`${ctx.cp.url}/v1/runs/${run.id}/attestation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    }).then((response) => response.text());
    const probe = await probeHealthWhile(ctx.cp.url, pushed);
    if (round >= ctx.options.warmUps) slowest.push(probe.slowestMs);
  }
  ctx.cp.takeLog();
  const value = median(slowest);
  ctx.results.add({
    section: SECTION,
    measure: `slowest /healthz answer while a ${(body.length / 1e6).toFixed(0)} MB push naming ${materials} digests is inspected`,
    value,
    unit: 'ms',
    samples: slowest,
    budget: `< ${BUDGET_MS} ms`,
    met: value < BUDGET_MS,
  });
}
