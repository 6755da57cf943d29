// The steps' behaviour that needs no control plane: parameter checks, Windows agents, the bundled CLI written
// byte for byte on the agent, gracefulExit. One harness run (one JVM) for all of them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jenkinsEnv, type PipelineReport, packageDir, runJenkinsfiles, shScripts } from './support/jenkins-harness';
import { buildLibrary } from './support/library-build';

const credentials = { 'chainloop-token': { type: 'string' as const, value: 'cl_robot_offline_token_do_not_log' } };

describe('Jenkins steps without a control plane', { timeout: 120_000 }, () => {
  let root: string;
  let badInput: PipelineReport;
  let windows: PipelineReport;
  let graceful: PipelineReport;
  let unbundled: PipelineReport;
  let finishUnreachable: PipelineReport;
  let sandboxed: PipelineReport;
  let windowsWorkspace: string;

  before(async () => {
    await buildLibrary();
    root = mkdtempSync(join(tmpdir(), 'jenkins-offline-'));
    const workspace = (name: string) => {
      const dir = join(root, name);
      mkdirSync(dir);
      return dir;
    };
    windowsWorkspace = workspace('windows');
    // Nothing listens on port 9 (discard) on loopback: the control plane is "down".
    const down = { CHAINLOOP_CONTROL_PLANE_API: 'http://127.0.0.1:9' };
    const badInputWorkspace = workspace('bad-input');
    const gracefulWorkspace = workspace('graceful');
    const unbundledWorkspace = workspace('unbundled');
    const finishUnreachableWorkspace = workspace('finish-unreachable');
    const sandboxedWorkspace = workspace('sandboxed');
    // The library as a Git checkout of the monorepo has it: vars/ and src/, no generated resources/.
    const checkout = workspace('library-checkout');
    cpSync(join(packageDir, 'vars'), join(checkout, 'vars'), { recursive: true });
    cpSync(join(packageDir, 'src'), join(checkout, 'src'), { recursive: true });
    [badInput, windows, graceful, unbundled, finishUnreachable, sandboxed] = await runJenkinsfiles([
      {
        jenkinsfile: 'bad-input.Jenkinsfile',
        workspace: badInputWorkspace,
        env: jenkinsEnv(badInputWorkspace, { job: 'bad-input', extra: down }),
        credentials,
      },
      {
        jenkinsfile: 'windows.Jenkinsfile',
        workspace: windowsWorkspace,
        env: jenkinsEnv(windowsWorkspace, { job: 'windows', extra: down }),
        credentials,
        isUnix: false,
      },
      {
        jenkinsfile: 'graceful.Jenkinsfile',
        workspace: gracefulWorkspace,
        env: jenkinsEnv(gracefulWorkspace, { job: 'graceful', extra: down }),
        credentials,
      },
      {
        jenkinsfile: 'windows.Jenkinsfile',
        workspace: unbundledWorkspace,
        env: jenkinsEnv(unbundledWorkspace, { job: 'unbundled', extra: down }),
        credentials,
        libraryDir: checkout,
      },
      {
        jenkinsfile: 'finish-push-unreachable.Jenkinsfile',
        workspace: finishUnreachableWorkspace,
        env: jenkinsEnv(finishUnreachableWorkspace, { job: 'finish-unreachable', extra: down }),
        credentials,
      },
      {
        jenkinsfile: 'sandboxed.Jenkinsfile',
        workspace: sandboxedWorkspace,
        env: jenkinsEnv(sandboxedWorkspace, { job: 'sandboxed', extra: down }),
        credentials,
        sandboxed: true,
      },
    ]);
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('fails on bad parameters with one line naming the step, the parameter and the fix, before running anything', () => {
    const caught = badInput.console
      .split('\n')
      .filter((line) => line.startsWith('caught: '))
      .map((line) => line.slice('caught: '.length));
    assert.deepEqual(caught, [
      'chainloopAttestation: unknown parameter "tokenCredentialId": use one of attestationAnnotations, attestationId, ' +
        'bundle, cli, contractRevision, controlPlane, gracefulExit, junitReports, nodeCommand, ' +
        'signingKeyCredentialsId, signingKeyCredentialsType, signingPasswordCredentialsId, tokenCredentialsId, ' +
        'unstableAs',
      'chainloopInit: parameter contractRevision is "latest": use a whole number from 1, e.g. contractRevision: 2',
      'chainloopAttestation: parameter signingKeyCredentialsType is "pem": use one of file, string',
      'chainloopReset: parameter trigger is "cancelled": use one of failure, cancellation',
      'chainloopFinish: parameter status is "success": use one of SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED',
      'chainloopPush: parameter gracefulExit must be true or false, not "yes"',
      'chainloopAdd: no attestation in progress: call chainloopInit first, or use chainloopAttestation { }',
      'chainloopAdd: parameters name and value are required, ' +
        "e.g. chainloopAdd(name: 'rootfs', value: 'rootfs.tar.gz'), or reports: 'reports/**/*.xml'",
      'chainloopAdd: pass reports alone (each file it matches is named after itself), not with name',
      'chainloopAttestation: parameter junitReports must be true or false, not "no"',
    ]);
    assert.ok(!badInput.console.includes('the body ran'));
    assert.equal(badInput.outcome, 'returned', 'a reset with nothing to reset does not fail the build');
    assert.match(badInput.console, /^WRN chainloopReset: no attestation in progress: nothing to reset$/m);
    assert.deepEqual(shScripts(badInput), [], 'no chainloop command ran');
  });

  it('runs the CLI through bat on Windows agents, values expanded only after cmd parsed the line', () => {
    const bat = windows.steps.filter((s) => s.step === 'bat').map((s) => s.script);
    assert.deepEqual(bat, [
      '@setlocal EnableDelayedExpansion\n' +
        '@"!CHAINLOOP_STEP_NODE!" "!CHAINLOOP_STEP_CLI!" attestation init --remote-state -o json ' +
        '--contract-revision "!CHAINLOOP_STEP_ARG1!"',
    ]);
    assert.deepEqual(shScripts(windows), []);
  });

  it('refuses a value with a double quote on Windows, which cmd cannot pass to a program intact', () => {
    assert.equal(windows.outcome, 'threw');
    assert.equal(
      windows.message,
      'chainloopAdd: the value "say "hi" & exit" contains a double quote, which a Windows agent cannot pass to a ' +
        'program: remove it, or run this step on a Unix agent',
    );
    assert.equal(windows.steps.filter((s) => s.step === 'bat').length, 1, 'only init reached bat');
  });

  it('writes the bundled CLI (libraryResource + writeFile, Base64) byte for byte into <workspace>@tmp', () => {
    const written = windows.steps.find((s) => s.step === 'writeFile')?.file ?? '';
    assert.ok(written.startsWith(`${windowsWorkspace}@tmp/chainloop-cli/chainloop-`), written);
    const shipped = join(packageDir, 'resources', 'dev', 'chainloop', 'jenkins', 'chainloop.cjs');
    const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    assert.equal(sha256(written), sha256(shipped));
    assert.ok(written.endsWith(`chainloop-${sha256(shipped).slice(0, 16)}.cjs`), 'named by its digest');
  });

  it('with gracefulExit, a control plane that is down does not fail the build, and the body still runs', () => {
    assert.equal(graceful.outcome, 'returned', graceful.console);
    assert.equal(graceful.result, 'SUCCESS');
    assert.match(graceful.console, /WRN cannot reach the control plane at http:\/\/127\.0\.0\.1:9/);
    assert.match(graceful.console, /WRN chainloopAdd: no attestation in progress: .* \(skipped: gracefulExit\)/);
    assert.match(graceful.console, /the body ran/);
    assert.equal(shScripts(graceful).length, 1, 'only init ran');
  });

  it("chainloopFinish whose push and then reset fail: one warning line, the build fails with the push's error", () => {
    assert.equal(finishUnreachable.outcome, 'threw', finishUnreachable.console);
    assert.equal(finishUnreachable.result, 'FAILURE');
    assert.equal(finishUnreachable.exception, 'hudson.AbortException');
    assert.match(finishUnreachable.message ?? '', /^script returned exit code [1-9]\d*$/, "the push's error");
    const scripts = shScripts(finishUnreachable);
    assert.equal(scripts.length, 2, scripts.join('\n'));
    assert.match(scripts[0], / attestation finish --ci jenkins .*--status "\$CHAINLOOP_STEP_ARG\d+"/, 'the push first');
    assert.match(scripts[1], / attestation reset .*--trigger "\$CHAINLOOP_STEP_ARG\d+"/, 'then the reset');
    const warnings = finishUnreachable.console.split('\n').filter((line) => line.startsWith('WRN chainloopFinish'));
    assert.equal(warnings.length, 1, finishUnreachable.console);
    assert.match(
      warnings[0],
      /^WRN chainloopFinish: the run could not be marked failed after the failed push: script returned exit code [1-9]\d*$/,
    );
  });

  it('in the script security sandbox the reports junit recorded cannot be read: one warning, and the push still runs', () => {
    assert.equal(sandboxed.outcome, 'returned', sandboxed.console);
    assert.ok(
      sandboxed.steps.some((s) => s.step === 'junit'),
      'junit recorded a report',
    );
    assert.match(
      sandboxed.console,
      /^WRN chainloopFinish: the test reports the junit step recorded could not be read \(Scripts not permitted to use method org\.jenkinsci\.plugins\.workflow\.support\.steps\.build\.RunWrapper getRawBuild\): register the library as trusted, or pass junitReports: false$/m,
    );
    const scripts = shScripts(sandboxed);
    assert.ok(!scripts.some((s) => s.includes(' attestation add ')), scripts.join('\n'));
    assert.match(scripts[0] ?? '', / attestation finish --ci jenkins /, 'the push ran');
  });

  it('says how to fix a library published without its bundled CLI', () => {
    assert.match(
      unbundled.console,
      /^init: chainloopInit: this copy of the library has no bundled CLI \(resources\/dev\/chainloop\/jenkins\/chainloop\.cjs\): publish the library after `npm run build`, or pass cli: 'chainloop' to use an installed CLI$/m,
    );
  });

  it('never records the token', () => {
    for (const report of [badInput, windows, graceful, finishUnreachable, sandboxed]) {
      assert.ok(!JSON.stringify(report).includes(credentials['chainloop-token'].value));
    }
  });
});
