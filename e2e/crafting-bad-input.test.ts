/**
 * Bad inputs to the crafting commands: each gets one ERR line naming the thing and the fix, a non-zero exit, and
 * leaves the crafting state exactly as it was.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baseEnv, type CliResult, runCli } from './support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from './support/control-plane';
import { githubActionsEnv, seedContract, seedWorkspace, signingKey, signingPassword } from './support/crafting';
import { vectors } from './support/paths';
import { type SeedImage, startSeedImage } from './support/registry';

let cp: TestControlPlane;
let image: SeedImage;
let robotToken: string;
let cwd: string;
let env: NodeJS.ProcessEnv;
const statePath = () => join(cwd, 'state.json');

function assertOneLineError(result: CliResult, pattern: RegExp): void {
  assert.notEqual(result.status, 0, `expected a failure, got: ${result.stdout}`);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERR '));
  assert.equal(errors.length, 1, `expected exactly one ERR line:\n${result.stderr}`);
  assert.match(errors[0], pattern);
}

async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return runCli([...args, '--local-state-path', statePath()], { env: { ...env, ...extra }, cwd });
}

before(async () => {
  cp = await startControlPlane();
  image = await startSeedImage();
  ({ robotToken } = await createWorkflowWithRobot(cp, {
    name: 'build-and-test',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: seedContract,
  }));
  cwd = seedWorkspace();
  env = baseEnv({ ...githubActionsEnv(), CHAINLOOP_ROBOT_ACCOUNT: robotToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });
  const init = await cli(['attestation', 'init']);
  assert.equal(init.status, 0, init.stderr);
});

after(async () => {
  await cp?.stop();
  await image?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

/** Runs a failing add and checks the state file did not change. */
async function failingAdd(args: string[], pattern: RegExp): Promise<void> {
  const before = readFileSync(statePath(), 'utf8');
  assertOneLineError(await cli(['attestation', 'add', ...args]), pattern);
  assert.equal(readFileSync(statePath(), 'utf8'), before, 'the state is unchanged');
}

test('a material name outside the contract, without --kind', async () => {
  await failingAdd(['--name', 'extra-thing', '--value', 'x'], /material "extra-thing" is not in the contract .*--kind/);
});

test('content that is not the material kind', async () => {
  await failingAdd(['--name', 'skynet-sbom', '--value', join(vectors, 'materials', 'random.json')], /skynet-sbom/);
});

test('a missing, an empty and a directory file', async () => {
  await failingAdd(['--name', 'rootfs', '--value', 'missing.tar.gz'], /rootfs.*missing\.tar\.gz.*not found/);
  writeFileSync(join(cwd, 'empty.tar.gz'), '');
  await failingAdd(['--name', 'rootfs', '--value', 'empty.tar.gz'], /rootfs.*empty/);
  mkdirSync(join(cwd, 'a-dir'), { recursive: true });
  await failingAdd(['--name', 'rootfs', '--value', 'a-dir'], /rootfs.*directory/);
});

test('push with required materials missing lists every one of them and keeps the state', async () => {
  const before = readFileSync(statePath(), 'utf8');
  const push = await cli(['attestation', 'push', '--key', signingKey], { CHAINLOOP_SIGNING_PASSWORD: signingPassword });
  assertOneLineError(
    push,
    /some materials have not been crafted yet: skynet-control-plane, rootfs, build-ref, skynet-sbom/,
  );
  assert.equal(readFileSync(statePath(), 'utf8'), before);
});

test('a wrong key password', async () => {
  for (const [name, value] of [
    ['skynet-control-plane', image.reference],
    ['rootfs', 'rootfs.tar.gz'],
    ['build-ref', 'abc'],
    ['skynet-sbom', 'sbom.cyclonedx.json'],
  ]) {
    const add = await cli(['attestation', 'add', '--name', name, '--value', value]);
    assert.equal(add.status, 0, add.stderr);
  }
  const before = readFileSync(statePath(), 'utf8');
  const push = await cli(['attestation', 'push', '--key', signingKey], {
    CHAINLOOP_SIGNING_PASSWORD: 'not the password',
  });
  assertOneLineError(push, /wrong password for signing key/);
  assert.doesNotMatch(push.stderr, /not the password/);
  assert.equal(readFileSync(statePath(), 'utf8'), before);
});

test('the control plane down during push keeps the state, and a later push succeeds', async () => {
  const before = readFileSync(statePath(), 'utf8');
  const down = await cli(['attestation', 'push', '--key', signingKey], {
    CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    CHAINLOOP_CONTROL_PLANE_API: 'http://127.0.0.1:9',
  });
  assertOneLineError(down, /127\.0\.0\.1:9.*push again/);
  assert.equal(readFileSync(statePath(), 'utf8'), before);
  const push = await cli(['attestation', 'push', '--key', signingKey], { CHAINLOOP_SIGNING_PASSWORD: signingPassword });
  assert.equal(push.status, 0, push.stderr);
  const [run] = await cp.admin().listRuns({ workflow: 'build-and-test' });
  assert.equal(run.status, 'succeeded');
});

test('init: an invalid contract revision, a missing required env variable, the wrong runner, a revoked token', async () => {
  // An attestation in progress (the previous test pushed its own).
  assert.equal((await cli(['attestation', 'init'])).status, 0);
  const before = readFileSync(statePath(), 'utf8');
  const unknown = await cli(['attestation', 'init', '--revision', '99', '--replace']);
  assertOneLineError(unknown, /revision 99/);
  assert.equal(readFileSync(statePath(), 'utf8'), before, 'a refused init --replace keeps the attestation in progress');
  assertOneLineError(
    await cli(['attestation', 'init', '--revision', 'latest']),
    /--revision "latest" is not a revision number/,
  );

  const noEnv = baseEnv({
    ...githubActionsEnv(),
    CHAINLOOP_ROBOT_ACCOUNT: robotToken,
    CHAINLOOP_CONTROL_PLANE_API: cp.url,
  });
  delete noEnv.GITHUB_REF;
  delete noEnv.GITHUB_REPOSITORY;
  const missingEnv = await runCli(['attestation', 'init', '--local-state-path', join(cwd, 'other.json')], {
    env: noEnv,
    cwd,
  });
  assertOneLineError(missingEnv, /GITHUB_REPOSITORY|GITHUB_REF/);

  const gitlabOnly = await createWorkflowWithRobot(cp, {
    name: 'gitlab-only',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: 'schemaVersion: v1\nrunner:\n  type: GITLAB_PIPELINE\n',
  });
  const wrongRunner = await runCli(['attestation', 'init', '--local-state-path', join(cwd, 'gl.json')], {
    env: { ...env, CHAINLOOP_ROBOT_ACCOUNT: gitlabOnly.robotToken },
    cwd,
  });
  assertOneLineError(wrongRunner, /GITLAB_PIPELINE|GitLab/);

  const revoked = await createWorkflowWithRobot(cp, {
    name: 'revoked',
    team: 'cyberdyne core',
    project: 'skynet',
    contract: 'schemaVersion: v1\n',
  });
  const admin = cp.admin();
  const robots = await runCli(['workflow', 'robot-account', 'create', '--workflow', 'revoked', '-o', 'json'], {
    env: baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url }),
  });
  const { id } = JSON.parse(robots.stdout);
  await admin.revokeRobotAccount('revoked', id);
  const revokedInit = await runCli(['attestation', 'init', '--dry-run', '--local-state-path', join(cwd, 'rv.json')], {
    env: { ...env, CHAINLOOP_ROBOT_ACCOUNT: JSON.parse(robots.stdout).token },
    cwd,
  });
  assertOneLineError(revokedInit, /token/i);
  assert.doesNotMatch(revokedInit.stderr, new RegExp(JSON.parse(robots.stdout).token));
  assert.ok(revoked.robotToken);
});
