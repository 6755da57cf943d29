import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type TestControlPlane } from '../../../../e2e/support/control-plane';
import { cliBundle } from '../../../../e2e/support/paths';
import type { ConfigDefinition, StepDefinition } from '../harness/config-model';
import { ORB_NAME, packOrbTo } from '../harness/orb-files';
import { createRepository } from '../harness/repository';
import { runWorkflow, type WorkflowResult } from '../harness/run-workflow';
import { describeFailures } from '../harness/transcript';

const dir = mkdtempSync(join(tmpdir(), 'orb-install-'));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const pipeline = createRepository(join(dir, 'repository'));
let runs = 0;
/** The CLI the control plane serves (it serves the repository's build), as a user would compute its digest. */
const bundleSha256 = createHash('sha256').update(readFileSync(cliBundle)).digest('hex');
const otherSha256 = createHash('sha256').update('another chainloop.cjs').digest('hex');

let controlPlane: TestControlPlane;
before(async () => {
  controlPlane = await startControlPlane();
});
after(async () => {
  await controlPlane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A step that runs even after a failed install and tells whether a chainloop command is on PATH. */
const whichChainloop: StepDefinition = {
  run: { name: 'Which chainloop', when: 'always', command: 'command -v chainloop || echo "no chainloop on PATH"' },
};

function installJob(install: Record<string, unknown>, extraSteps: StepDefinition[] = []): ConfigDefinition {
  return {
    version: 2.1,
    orbs: { chainloop: `${ORB_NAME}@0.1.0` },
    jobs: {
      build: {
        executor: 'chainloop/default',
        steps: [
          Object.keys(install).length === 0 ? 'chainloop/install' : { 'chainloop/install': install },
          { run: { name: 'Use it', command: 'command -v chainloop && chainloop --version' } },
          ...extraSteps,
        ],
      },
    },
    workflows: { main: { jobs: ['build'] } },
  };
}

/** Runs the config with the control plane URL in CHAINLOOP_CONTROL_PLANE_API, as the chainloop context holds it. */
function run(config: ConfigDefinition, projectVariables: Record<string, string> = controlPlaneVariables()) {
  runs += 1;
  return runWorkflow(config, {
    projectVariables,
    orbs: { [ORB_NAME]: orb },
    pipeline,
    dir: join(dir, `run-${runs}`),
    path: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
  });
}

function controlPlaneVariables(): Record<string, string> {
  return { CHAINLOOP_CONTROL_PLANE_API: controlPlane.url };
}

/** The install step of a job that failed there: its one stderr line (the rest of the job did not run). */
function failedInstall(result: WorkflowResult): string {
  const [job] = result.jobs;
  assert.equal(job.status, 'failed');
  const [install, use] = job.steps;
  assert.equal(install.status, 'failed');
  assert.equal(use.status, 'skipped');
  assert.match(install.stderr, /^chainloop\/install: [^\n]+\n$/, `one line: ${JSON.stringify(install.stderr)}`);
  return install.stderr.trimEnd();
}

/** The next `count` requests the control plane logged (its log line may follow the response by a moment). */
async function requestsLogged(count: number): Promise<string[]> {
  const lines: string[] = [];
  for (const deadline = Date.now() + 5000; lines.length < count && Date.now() < deadline; await sleep(50)) {
    lines.push(...controlPlane.takeLog());
  }
  return lines.map((line) => /(GET|POST|PUT|DELETE) \S+ \d+/.exec(line)?.[0] ?? line);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('install (default): the CLI comes from the control plane, is checked, and chainloop runs in the next step', {
  timeout: 60_000,
}, async () => {
  controlPlane.takeLog();
  const result = await run(installJob({}));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.deepEqual(await requestsLogged(2), [
    'GET /v1/downloads/chainloop.cjs.sha256 200',
    'GET /v1/downloads/chainloop.cjs 200',
  ]);
  const [install, use] = job.steps;
  assert.equal(
    install.stdout,
    `chainloop 0.1.0 installed in ${join(job.dir, 'home', '.chainloop', 'bin')} (downloaded from the control plane, sha256 ${bundleSha256})\n`,
  );
  assert.match(use.stdout, /\/home\/\.chainloop\/bin\/chainloop\n0\.1\.0\n$/);
  // What was installed is the file the control plane serves, byte for byte.
  assert.ok(readFileSync(join(job.dir, 'home', '.chainloop', 'chainloop.cjs')).equals(readFileSync(cliBundle)));
});

test('a correct cli_sha256 pin (of any case) installs the CLI', { timeout: 60_000 }, async () => {
  const result = await run(installJob({ cli_sha256: bundleSha256.toUpperCase() }));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  assert.match(job.steps[1].stdout, /\/home\/\.chainloop\/bin\/chainloop\n0\.1\.0\n$/);
});

test('a cli_sha256 pin the served CLI does not match fails with one line naming both digests, and no chainloop on PATH', {
  timeout: 60_000,
}, async () => {
  const result = await run(installJob({ cli_sha256: otherSha256 }, [whichChainloop]));
  assert.equal(
    failedInstall(result),
    `chainloop/install: the CLI the control plane at ${controlPlane.url} serves has SHA-256 ${bundleSha256}, not the pinned cli_sha256 ${otherSha256}: the control plane serves another CLI (upgraded?); if that is expected pin the new digest (curl -fsS ${controlPlane.url}/v1/downloads/chainloop.cjs.sha256), else find out who changed it`,
  );
  const [job] = result.jobs;
  assert.equal(job.steps[2].stdout, 'no chainloop on PATH\n');
  assert.equal(existsSync(join(job.dir, 'home', '.chainloop', 'chainloop.cjs')), false, 'the refused CLI is not kept');
});

test('a cli_sha256 that is not a SHA-256 digest is refused before any download', { timeout: 60_000 }, async () => {
  controlPlane.takeLog();
  const result = await run(installJob({ cli_sha256: `${bundleSha256}  chainloop.cjs` }, [whichChainloop]));
  assert.equal(
    failedInstall(result),
    `chainloop/install: cli_sha256 "${bundleSha256}  chainloop.cjs" is not a SHA-256 digest (64 hex characters): set it to the first field of curl -fsS $CHAINLOOP_CONTROL_PLANE_API/v1/downloads/chainloop.cjs.sha256, or leave it empty`,
  );
  assert.equal(result.jobs[0].steps[2].stdout, 'no chainloop on PATH\n');
  await sleep(200);
  assert.deepEqual(controlPlane.takeLog(), [], 'no request reached the control plane');
});

test('an unreachable control plane (the control_plane parameter wins over the variable) fails with one line', {
  timeout: 60_000,
}, async () => {
  const unreachable = `http://127.0.0.1:${await closedPort()}`;
  controlPlane.takeLog();
  const result = await run(installJob({ control_plane: unreachable }, [whichChainloop]));
  assert.equal(
    failedInstall(result),
    `chainloop/install: cannot download the chainloop CLI from the control plane at ${unreachable} (connection refused; 3 attempts): check control_plane / CHAINLOOP_CONTROL_PLANE_API and that the control plane is running and reachable from the job, or install the CLI with cli_source: npm or path`,
  );
  assert.equal(result.jobs[0].steps[2].stdout, 'no chainloop on PATH\n');
  await sleep(200);
  assert.deepEqual(controlPlane.takeLog(), [], 'CHAINLOOP_CONTROL_PLANE_API was not used');
});

test('without a control plane URL the install says where to put one', { timeout: 60_000 }, async () => {
  const result = await run(installJob({}), {});
  assert.equal(
    failedInstall(result),
    'chainloop/install: no control plane to download the CLI from: CHAINLOOP_CONTROL_PLANE_API is not set: put the control plane URL in it (the context that holds CHAINLOOP_TOKEN) or in the control_plane parameter, or install the CLI with cli_source: npm or path',
  );
});

test('a control plane with no CLI to serve: one line with its answer', { timeout: 60_000 }, async () => {
  const missing = join(dir, 'no-such-chainloop.cjs');
  const bare = await startControlPlane({ args: ['--cli-bundle', missing] });
  try {
    const result = await run(installJob({}), { CHAINLOOP_CONTROL_PLANE_API: bare.url });
    assert.equal(
      failedInstall(result),
      `chainloop/install: the control plane at ${bare.url} answered 404 Not Found to GET /v1/downloads/chainloop.cjs.sha256 (CLI_BUNDLE_NOT_AVAILABLE: this control plane has no CLI to serve (looked in ${missing}): start it with --cli-bundle pointing at chainloop.cjs 0.1.0, or install the CLI from npm in the job): check control_plane / CHAINLOOP_CONTROL_PLANE_API, or install the CLI with cli_source: npm or path`,
    );
  } finally {
    await bare.stop();
  }
});

test('a download that does not match the digest the control plane announces is refused (cut short on the way)', {
  timeout: 60_000,
}, async () => {
  // A control plane behind a proxy that cuts the download short: the .sha256 answer is right, the file is not.
  const bundle = readFileSync(cliBundle);
  const server: Server = createServer((request, response) => {
    if (request.url === '/v1/downloads/chainloop.cjs.sha256') response.end(`${bundleSha256}  chainloop.cjs\n`);
    else if (request.url === '/v1/downloads/chainloop.cjs') response.end(bundle.subarray(0, 4096));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cutSha256 = createHash('sha256').update(bundle.subarray(0, 4096)).digest('hex');
    const result = await run(installJob({ control_plane: url }, [whichChainloop]));
    assert.equal(
      failedInstall(result),
      `chainloop/install: chainloop.cjs downloaded from ${url} has SHA-256 ${cutSha256}, but the control plane announces ${bundleSha256}: the download was altered or cut short on the way (a proxy in between?) or the control plane changed its CLI meanwhile; re-run the job, and if it happens again check what sits between the job and the control plane`,
    );
    assert.equal(result.jobs[0].steps[2].stdout, 'no chainloop on PATH\n');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('cli_source npm with a cli_path is refused: the two ask for different CLIs', { timeout: 60_000 }, async () => {
  const result = await run(installJob({ cli_source: 'npm', cli_path: 'tools/chainloop.cjs' }));
  assert.equal(
    failedInstall(result),
    'chainloop/install: cli_source npm and cli_path tools/chainloop.cjs are both set: remove cli_path to install the npm package, or set cli_source: path to run that bundle',
  );
});

test('a cli_path (cli_source left at its default): that bundle is on PATH, no download', {
  timeout: 60_000,
}, async () => {
  const result = await run(installJob({ cli_path: cliBundle }), {});
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  const [install, use] = job.steps;
  assert.match(
    install.stdout,
    new RegExp(`^chainloop 0\\.1\\.0 installed in \\S+/home/\\.chainloop/bin \\(from ${cliBundle}\\)\n$`),
  );
  assert.match(use.stdout, /\/home\/\.chainloop\/bin\/chainloop\n0\.1\.0\n$/);
});

test('cli_source path checks cli_sha256 against the bundle', { timeout: 60_000 }, async () => {
  const result = await run(installJob({ cli_source: 'path', cli_path: cliBundle, cli_sha256: otherSha256 }));
  assert.equal(
    failedInstall(result),
    `chainloop/install: cli_path ${cliBundle} has SHA-256 ${bundleSha256}, not the pinned cli_sha256 ${otherSha256}: put the pinned CLI there, or pin the digest of this one`,
  );
});

test('a cli_path that does not exist fails with a one-line error naming it', { timeout: 60_000 }, async () => {
  const result = await run(installJob({ cli_path: 'tools/chainloop.cjs' }));
  assert.match(
    failedInstall(result),
    /^chainloop\/install: cli_path tools\/chainloop\.cjs not found in \S+\/home\/project: build or check out the CLI bundle first, or leave cli_path empty to download the CLI from the control plane$/,
  );
});

test('cli_source npm: npm installs the CLI package (here a tarball of it, as released) into install_dir', {
  timeout: 180_000,
}, async () => {
  // The package as the release publishes it (scripts/release/npm-packages.ts): the single-file CLI and a manifest
  // with no dependencies. Its tarball (a version-less spec) keeps the registry out of it.
  const cliPackage = join(cliBundle, '..', '..');
  const staged = join(dir, 'cli-package');
  mkdirSync(staged);
  copyFileSync(cliBundle, join(staged, 'chainloop.cjs'));
  const { name, version, description, license } = JSON.parse(readFileSync(join(cliPackage, 'package.json'), 'utf8'));
  writeFileSync(
    join(staged, 'package.json'),
    JSON.stringify({
      name,
      version,
      description,
      license,
      bin: { chainloop: 'chainloop.cjs' },
      files: ['chainloop.cjs'],
    }),
  );
  const tarball = join(
    dir,
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, staged], { encoding: 'utf8' }).trim(),
  );
  // No dependency, so no registry: npm installs from the tarball alone, with the job's own (empty) cache.
  const result = await run(
    installJob({ cli_source: 'npm', package: tarball, version: '', install_dir: '~/tools/chainloop' }),
    { npm_config_update_notifier: 'false', npm_config_offline: 'true' },
  );
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  const [install, use] = job.steps;
  assert.match(install.stdout, /chainloop 0\.1\.0 installed in .*\/home\/tools\/chainloop\/bin \(from npm, /);
  assert.match(use.stdout, /\/home\/tools\/chainloop\/bin\/chainloop\n0\.1\.0\n$/);
});
