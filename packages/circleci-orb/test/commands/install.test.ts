import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { cliBundle } from '../../../../e2e/support/paths';
import type { ConfigDefinition } from '../harness/config-model';
import { ORB_NAME, packOrbTo } from '../harness/orb-files';
import { createRepository } from '../harness/repository';
import { runWorkflow } from '../harness/run-workflow';
import { describeFailures } from '../harness/transcript';

const dir = mkdtempSync(join(tmpdir(), 'orb-install-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const pipeline = createRepository(join(dir, 'repository'));
let runs = 0;

function installJob(install: Record<string, unknown>): ConfigDefinition {
  return {
    version: 2.1,
    orbs: { chainloop: `${ORB_NAME}@0.1.0` },
    jobs: {
      build: {
        executor: 'chainloop/default',
        steps: [
          { 'chainloop/install': install },
          { run: { name: 'Use it', command: 'command -v chainloop && chainloop --version' } },
        ],
      },
    },
    workflows: { main: { jobs: ['build'] } },
  };
}

function run(config: ConfigDefinition, projectVariables: Record<string, string> = {}) {
  runs += 1;
  return runWorkflow(config, {
    projectVariables,
    orbs: { [ORB_NAME]: orb },
    pipeline,
    dir: join(dir, `run-${runs}`),
    path: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
  });
}

test('install with cli_path: the bundled CLI is on PATH for the following steps', async () => {
  const result = await run(installJob({ cli_path: cliBundle }));
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  const [, use] = job.steps;
  assert.match(use.stdout, /\/home\/\.chainloop\/bin\/chainloop\n0\.1\.0\n$/);
});

test('install from npm: npm installs the CLI package (here the npm pack of packages/cli) into install_dir', async () => {
  // The package as npm would publish it; a version-less spec (the tarball) keeps the registry out of the CLI's own
  // name, and npm's cache of this machine (a CircleCI cache restore, in effect) serves its two dependencies.
  const cliPackage = join(cliBundle, '..', '..');
  const tarball = join(
    dir,
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, cliPackage], { encoding: 'utf8' }).trim(),
  );
  // npm's global config (where this machine may keep the CA its registry proxy needs) is read from the prefix, which
  // install_dir replaces: hand the CA file on as the job's own setting, as a CircleCI project would. Asked from outside
  // this repository, whose workspaces npm config refuses to answer for.
  const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8', cwd: dir }).trim();
  const result = await run(installJob({ package: tarball, version: '', install_dir: '~/tools/chainloop' }), {
    ...(cafile && cafile !== 'null' && cafile !== 'undefined' ? { npm_config_cafile: cafile } : {}),
    npm_config_cache: join(homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  });
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  const [install, use] = job.steps;
  assert.match(install.stdout, /chainloop 0\.1\.0 installed in .*\/home\/tools\/chainloop\/bin/);
  assert.match(use.stdout, /\/home\/tools\/chainloop\/bin\/chainloop\n0\.1\.0\n$/);
});

test('install with a cli_path that does not exist fails with a one-line error naming it', async () => {
  const result = await run(installJob({ cli_path: 'tools/chainloop.cjs' }));
  const [job] = result.jobs;
  assert.equal(job.status, 'failed');
  const [install, use] = job.steps;
  assert.equal(install.status, 'failed');
  assert.match(
    install.stderr,
    /^chainloop\/install: cli_path tools\/chainloop\.cjs not found in \S+\/home\/project: build or check out the CLI bundle first, or leave cli_path empty to install from npm\n$/,
  );
  assert.equal(use.status, 'skipped');
});
