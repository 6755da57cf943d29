/**
 * chainloop/install behind a proxy: Node's fetch ignores HTTPS_PROXY / HTTP_PROXY, so when one applies to the control
 * plane URL the step downloads with curl through it (a real tinyproxy with credentials on 127.0.0.1). NO_PROXY exempts
 * the host; without curl, or with the proxy down, the step stops in one line naming the proxy (never its password).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type TestControlPlane } from '../../../../e2e/support/control-plane';
import { cliBundle } from '../../../../e2e/support/paths';
import { startTinyproxy, type Tinyproxy } from '../../../../e2e/support/tinyproxy';
import type { ConfigDefinition } from '../harness/config-model';
import { ORB_NAME, packOrbTo } from '../harness/orb-files';
import { createRepository } from '../harness/repository';
import { runWorkflow, type WorkflowResult } from '../harness/run-workflow';
import { describeFailures } from '../harness/transcript';

const PASSWORD = 'orb-proxy-secret-7f3a';
const dir = mkdtempSync(join(tmpdir(), 'orb-install-proxy-'));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const pipeline = createRepository(join(dir, 'repository'));
const bundleSha256 = createHash('sha256').update(readFileSync(cliBundle)).digest('hex');
const PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
let runs = 0;
let controlPlane: TestControlPlane;
let proxy: Tinyproxy;

before(async () => {
  controlPlane = await startControlPlane();
  proxy = await startTinyproxy({ user: 'ci', password: PASSWORD });
});
after(async () => {
  await proxy?.stop();
  await controlPlane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const installJob: ConfigDefinition = {
  version: 2.1,
  orbs: { chainloop: `${ORB_NAME}@0.1.0` },
  jobs: {
    build: {
      executor: 'chainloop/default',
      steps: ['chainloop/install', { run: { name: 'Use it', command: 'chainloop --version' } }],
    },
  },
  workflows: { main: { jobs: ['build'] } },
};

function run(variables: Record<string, string>, path = PATH): Promise<WorkflowResult> {
  runs += 1;
  return runWorkflow(installJob, {
    projectVariables: { CHAINLOOP_CONTROL_PLANE_API: controlPlane.url, ...variables },
    orbs: { [ORB_NAME]: orb },
    pipeline,
    dir: join(dir, `run-${runs}`),
    path,
  });
}

function assertInstalled(result: WorkflowResult): void {
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.match(job.steps[0].stdout, new RegExp(`downloaded from the control plane, sha256 ${bundleSha256}\\)\\n$`));
  assert.equal(job.steps[1].stdout, '0.1.0\n');
  assert.ok(readFileSync(join(job.dir, 'home', '.chainloop', 'chainloop.cjs')).equals(readFileSync(cliBundle)));
}

function failedInstall(result: WorkflowResult): string {
  const [job] = result.jobs;
  assert.equal(job.status, 'failed', describeFailures(result));
  const [install] = job.steps;
  assert.match(install.stderr, /^chainloop\/install: [^\n]+\n$/, `one line: ${JSON.stringify(install.stderr)}`);
  assert.ok(!install.stderr.includes(PASSWORD), 'the proxy password is printed');
  return install.stderr.trimEnd();
}

/** A PATH with everything the job needs but curl. */
function pathWithoutCurl(): string {
  const bin = join(dir, 'bin-without-curl');
  mkdirSync(bin, { recursive: true });
  for (const folder of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(folder)) {
      if (name === 'curl') continue;
      try {
        symlinkSync(join(folder, name), join(bin, name));
      } catch {
        // Already linked from the other folder.
      }
    }
  }
  // node too, wherever it is (it may share a folder with curl).
  try {
    symlinkSync(process.execPath, join(bin, 'node'));
  } catch {
    // /usr/bin/node, linked above.
  }
  return bin;
}

test('with HTTP_PROXY set the CLI is downloaded through the proxy (curl), credentials never printed; NO_PROXY bypasses it', {
  timeout: 90_000,
}, async () => {
  const before = proxy.requests().length;
  controlPlane.takeLog();
  const result = await run({ HTTP_PROXY: proxy.url });
  assertInstalled(result);
  assert.deepEqual(proxy.requests().slice(before), [
    `GET ${controlPlane.url}/v1/downloads/chainloop.cjs.sha256`,
    `GET ${controlPlane.url}/v1/downloads/chainloop.cjs`,
  ]);
  const [job] = result.jobs;
  for (const step of job.steps) assert.ok(!`${step.stdout}${step.stderr}`.includes(PASSWORD));

  // NO_PROXY naming the control plane host: downloaded directly, past the proxy.
  const direct = proxy.requests().length;
  assertInstalled(await run({ HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' }));
  assert.deepEqual(proxy.requests().slice(direct), []);
});

test('the proxy down: one line naming the proxy without its password, and the fix', { timeout: 90_000 }, async () => {
  const gone = await startTinyproxy({ user: 'ci', password: PASSWORD });
  await gone.stop();
  controlPlane.takeLog();
  const result = await run({ http_proxy: gone.url });
  assert.match(
    failedInstall(result),
    new RegExp(
      `^chainloop/install: cannot download the chainloop CLI from the control plane at ${controlPlane.url} through the proxy ${gone.origin} \\(from http_proxy\\) \\(curl: \\(7\\) [^;]*${gone.port}[^;]*; 3 attempts\\): check http_proxy, or add 127\\.0\\.0\\.1 to NO_PROXY to connect directly, or install the CLI with cli_source: npm or path$`,
    ),
  );
  await sleep(100);
  assert.deepEqual(controlPlane.takeLog(), [], 'nothing reached the control plane directly');
});

test('a proxy that applies but no curl on PATH: one line pointing to cli_source npm', { timeout: 90_000 }, async () => {
  const result = await run({ HTTP_PROXY: proxy.url }, pathWithoutCurl());
  assert.equal(
    failedInstall(result),
    `chainloop/install: the control plane at ${controlPlane.url} is reached through the proxy ${proxy.origin} (from HTTP_PROXY), but curl is not on PATH and node cannot use a proxy here: use an image with curl, or install the CLI with cli_source: npm (npm uses the proxy) or path`,
  );
});
