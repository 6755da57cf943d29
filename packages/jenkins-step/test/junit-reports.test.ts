// Test reports collected without config (issue 21): Jenkinsfiles that record JUnit reports with the `junit` step (the
// harness's stand-in keeps them as the junit plugin does, in the build's TestResultAction) and add no material, run by
// the REAL bundled CLI against a REAL control plane; the stored, verified attestations must hold those reports. Also
// chainloopAdd(reports: 'glob') and the junitReports: false opt-out.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import type { WorkflowRun } from '@chainloop-ts/core/client';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import { vectors } from '../../../e2e/support/paths';
import { jenkinsEnv, type PipelineReport, packageDir, runJenkinsfiles, shScripts } from './support/jenkins-harness';
import { buildLibrary } from './support/library-build';

const keyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.key'), 'utf8');
const publicKeyPem = readFileSync(join(vectors, 'keys', 'generated__p256_N65536.pub'), 'utf8');
const password = 'correct horse battery staple';
/** No material required: whatever the attestation holds was added by the steps, or by init (the runner context). */
const contract = 'schemaVersion: v1\nrunner:\n  type: JENKINS_JOB\n';

const suite = (name: string, failed = false) =>
  `  <testsuite name="${name}" tests="1" failures="${failed ? 1 : 0}" errors="0">\n` +
  `    <testcase classname="${name}" name="works" time="0.01">${failed ? '<failure message="no"/>' : ''}</testcase>\n` +
  '  </testsuite>\n';
/**
 * What the tests write: two files with the same name in different folders (their material names must differ), a
 * folder whose name is glob syntax to the CLI (`(linux)`), and one file holding two suites (junit records it twice).
 */
const JUNIT_FILES: Record<string, string> = {
  'reports/unit/TEST-com.example.AppTest.xml': `<?xml version="1.0"?>\n${suite('com.example.AppTest').trim()}\n`,
  'reports/unit (linux)/TEST-com.example.AppTest.xml': `<?xml version="1.0"?>\n${suite('com.example.AppTest').trim()}\n`,
  'reports/integration/all.xml': `<?xml version="1.0"?>\n<testsuites>\n${suite('it.Db')}${suite('it.Api')}</testsuites>\n`,
};
/** For chainloopAdd(reports: …): a dozen more. */
const MANY_FILES: Record<string, string> = Object.fromEntries(
  Array.from({ length: 12 }, (_, index) => [
    `reports/many/TEST-Case${String(index).padStart(2, '0')}.xml`,
    `<?xml version="1.0"?>\n${suite(`Case${index}`).trim()}\n`,
  ]),
);

interface MaterialDescriptor {
  name?: string;
  digest: Record<string, string>;
  annotations: Record<string, unknown>;
}

interface Job {
  jenkinsfile: string;
  job: string;
  files: Record<string, string>;
  /** The workspace's Makefile, for the README's `sh 'make test'`. */
  makefile?: string;
  workspace: string;
  workflowId: string;
  token: string;
  report: PipelineReport;
}

describe('test reports the build recorded with junit, against a real control plane', { timeout: 300_000 }, () => {
  let cp: TestControlPlane;
  let root: string;
  const jobs = new Map<string, Job>();

  before(async () => {
    await buildLibrary();
    cp = await startControlPlane();
    root = mkdtempSync(join(tmpdir(), 'jenkins-junit-'));
    // The README's test-report example, copied as a user would (the fourth Groovy block).
    const readmeExample = [
      ...readFileSync(join(packageDir, 'README.md'), 'utf8').matchAll(/```groovy\n([\s\S]*?)```/g),
    ][3][1];
    assert.match(readmeExample, /junit 'reports\/\*\*\/\*\.xml'/, 'the README example records reports with junit');
    writeFileSync(join(root, 'readme-reports.Jenkinsfile'), readmeExample);
    const makefile = [
      'test:',
      '\t./write-reports.sh',
      'scan:',
      `\tmkdir -p scans && cp '${join(vectors, 'materials', 'report.sarif')}' scans/app.sarif`,
      '',
    ].join('\n');
    const plan: Array<Pick<Job, 'jenkinsfile' | 'job' | 'files' | 'makefile'>> = [
      { jenkinsfile: 'junit-block.Jenkinsfile', job: 'junit-block', files: JUNIT_FILES },
      { jenkinsfile: 'junit-finish.Jenkinsfile', job: 'junit-finish', files: JUNIT_FILES },
      { jenkinsfile: 'junit-push.Jenkinsfile', job: 'junit-push', files: JUNIT_FILES },
      { jenkinsfile: 'junit-opt-out.Jenkinsfile', job: 'junit-opt-out', files: JUNIT_FILES },
      { jenkinsfile: 'add-reports.Jenkinsfile', job: 'add-reports', files: { ...JUNIT_FILES, ...MANY_FILES } },
      { jenkinsfile: 'junit-gone.Jenkinsfile', job: 'junit-gone', files: JUNIT_FILES },
      { jenkinsfile: 'junit-refused.Jenkinsfile', job: 'junit-refused', files: JUNIT_FILES },
      { jenkinsfile: join(root, 'readme-reports.Jenkinsfile'), job: 'readme-reports', files: JUNIT_FILES, makefile },
    ];
    const prepared = await Promise.all(
      plan.map(async (entry) => {
        const { workflowId, robotToken } = await createWorkflowWithRobot(cp, {
          name: `jenkins-${entry.job}`,
          team: 'platform',
          project: 'jenkins-step',
          contract,
        });
        const workspace = join(root, 'workspace', entry.job);
        mkdirSync(workspace, { recursive: true });
        writeFileSync(join(workspace, 'write-reports.sh'), writeReportsScript(entry.files));
        chmodSync(join(workspace, 'write-reports.sh'), 0o755);
        if (entry.makefile) writeFileSync(join(workspace, 'Makefile'), entry.makefile);
        return { ...entry, workflowId, token: robotToken, workspace };
      }),
    );
    const reports = await runJenkinsfiles(
      prepared.map((entry) => ({
        jenkinsfile: entry.jenkinsfile,
        workspace: entry.workspace,
        env: jenkinsEnv(entry.workspace, { job: entry.job, extra: { CHAINLOOP_CONTROL_PLANE_API: cp.url } }),
        credentials: {
          'chainloop-token': { type: 'string', value: entry.token },
          'chainloop-signing-key': { type: 'file', value: keyPem, fileName: 'cosign.key' },
          'chainloop-signing-password': { type: 'string', value: password },
        },
      })),
    );
    prepared.forEach((entry, index) => {
      jobs.set(entry.job, { ...entry, report: reports[index] });
    });
  });

  after(async () => {
    await cp?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function describeJob(job: string): string {
    const { report } = jobs.get(job)!;
    return `${job}: ${report.outcome} ${report.exception ?? ''} ${report.message ?? ''}\n${report.console}`;
  }

  /** The job's one run, pushed, and the materials of its verified attestation by name. */
  async function pushedMaterials(job: string): Promise<{ run: WorkflowRun; byName: Map<string, MaterialDescriptor> }> {
    const { report, workflowId } = jobs.get(job)!;
    assert.equal(report.outcome, 'returned', describeJob(job));
    assert.equal(report.result, 'SUCCESS', describeJob(job));
    const runs = await cp.admin().listRuns({ workflow: workflowId });
    assert.equal(runs.length, 1, `${job}: one run expected, got ${JSON.stringify(runs)}`);
    assert.equal(runs[0].status, 'succeeded', describeJob(job));
    const stored = await cp.admin().getAttestation(runs[0].id);
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem });
    const materials = (statement.predicate as unknown as { materials: MaterialDescriptor[] }).materials;
    const byName = new Map(materials.map((m) => [String(m.annotations['chainloop.material.name']), m]));
    assert.equal(byName.size, materials.length, 'material names are unique');
    return { run: runs[0], byName };
  }

  /** Each file is a JUNIT_XML material named after it (a second file of the same name gets -1), its digest the file's. */
  function assertReports(job: string, byName: Map<string, MaterialDescriptor>, expected: Record<string, string>): void {
    const { workspace } = jobs.get(job)!;
    const reports = [...byName].filter(([, m]) => m.annotations['chainloop.material.type'] === 'JUNIT_XML');
    assert.deepEqual(reports.map(([name]) => name).sort(), Object.keys(expected).sort(), describeJob(job));
    for (const [name, file] of Object.entries(expected)) {
      const material = byName.get(name)!;
      assert.equal(material.name, file.split('/').pop(), `${job}: ${name} is ${file}`);
      assert.equal(material.digest.sha256, sha256(join(workspace, file)), `${job}: ${name} has ${file}'s digest`);
    }
  }

  /** The three JUnit files, as --from-glob names them, in path order ('unit (linux)/' sorts before 'unit/'). */
  const recorded = {
    all: 'reports/integration/all.xml',
    'test-com-example-apptest': 'reports/unit (linux)/TEST-com.example.AppTest.xml',
    'test-com-example-apptest-1': 'reports/unit/TEST-com.example.AppTest.xml',
  };

  it('a block that records reports with junit and adds nothing pushes an attestation holding those reports', async () => {
    const { byName } = await pushedMaterials('junit-block');
    assertReports('junit-block', byName, recorded);
    assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
    assert.deepEqual([...byName.keys()].sort(), [...Object.keys(recorded), 'runner-context'].sort());
    const { report } = jobs.get('junit-block')!;
    assert.match(
      report.console,
      /^chainloopAttestation: adding the 3 test report file\(s\) the junit step recorded \(junitReports: false turns this off\)$/m,
    );
    // One add for all of them, before the push; the two suites of all.xml make one file.
    const scripts = shScripts(report).filter((s) => s.includes(' attestation '));
    const adds = scripts.filter((s) => s.includes(' attestation add '));
    assert.equal(adds.length, 1, scripts.join('\n'));
    assert.equal(adds[0].match(/--from-glob /g)?.length, 3, adds[0]);
    assert.match(adds[0], /--kind "\$CHAINLOOP_STEP_ARG\d+"/);
    assert.ok(scripts.indexOf(adds[0]) < scripts.findIndex((s) => s.includes(' attestation finish ')));
  });

  it('chainloopFinish after junit in post always pushes an attestation holding the recorded reports', async () => {
    const { byName } = await pushedMaterials('junit-finish');
    assertReports('junit-finish', byName, recorded);
    assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
    assert.match(jobs.get('junit-finish')!.report.console, /^chainloopFinish: adding the 3 test report file\(s\)/m);
  });

  it('chainloopPush in post success after junit in a stage pushes an attestation holding the recorded reports', async () => {
    const { byName } = await pushedMaterials('junit-push');
    assertReports('junit-push', byName, recorded);
    assert.deepEqual([...byName.keys()].sort(), [...Object.keys(recorded), 'runner-context'].sort());
    const { report } = jobs.get('junit-push')!;
    assert.match(report.console, /^chainloopPush: adding the 3 test report file\(s\)/m);
    const scripts = shScripts(report).filter((s) => s.includes(' attestation '));
    const adds = scripts.filter((s) => s.includes(' attestation add '));
    assert.equal(adds.length, 1, scripts.join('\n'));
    assert.ok(scripts.indexOf(adds[0]) < scripts.findIndex((s) => s.includes(' attestation push ')));
  });

  it('junitReports: false leaves the recorded reports out', async () => {
    const { byName } = await pushedMaterials('junit-opt-out');
    assert.deepEqual([...byName.keys()], ['runner-context'], describeJob('junit-opt-out'));
    const { report } = jobs.get('junit-opt-out')!;
    assert.ok(
      report.steps.some((s) => s.step === 'junit'),
      'junit did record them',
    );
    assert.ok(!shScripts(report).some((s) => s.includes(' attestation add ')), 'no add ran');
    assert.doesNotMatch(report.console, /test report file\(s\) the junit step recorded/);
  });

  it("chainloopAdd(reports: 'glob') adds every match as its own material; a glob matching nothing only warns", async () => {
    const { byName } = await pushedMaterials('add-reports');
    const many = Object.fromEntries(
      Object.keys(MANY_FILES).map((file) => [file.split('/').pop()!.replace('.xml', '').toLowerCase(), file]),
    );
    assert.equal(Object.keys(many).length, 12);
    // Added once each: chainloopFinish inherited junitReports: false from chainloopInit, so no duplicates.
    assertReports('add-reports', byName, { ...recorded, ...many });
    assert.equal(byName.size, 16, 'the 15 reports and the runner context');
    const { report } = jobs.get('add-reports')!;
    assert.match(report.console, /--from-glob "coverage\/\*\*\/\*\.xml" matched no file in .*: nothing added for it/);
    const adds = shScripts(report).filter((s) => s.includes(' attestation add '));
    assert.equal(adds.length, 2, 'one add per chainloopAdd, none for junit');
    for (const add of adds) assert.match(add, / attestation add --attestation-id "\$\w+" --from-glob "\$\w+"/);
  });

  it('recorded reports that are gone when the attestation ends only warn; the attestation is pushed without them', async () => {
    const { byName } = await pushedMaterials('junit-gone');
    assert.deepEqual([...byName.keys()], ['runner-context']);
    const { report, workspace } = jobs.get('junit-gone')!;
    const warnings = report.console.split('\n').filter((line) => line.startsWith('WRN --from-glob'));
    assert.equal(warnings.length, 3, report.console);
    for (const warning of warnings) {
      assert.ok(warning.includes(`${workspace}/reports/`) && warning.endsWith(': nothing added for it'), warning);
    }
  });

  it('a recorded report the CLI refuses fails the build in one line saying how to go on, and the run is marked failed', async () => {
    const job = 'junit-refused';
    const { report, workflowId } = jobs.get(job)!;
    assert.equal(report.outcome, 'threw', describeJob(job));
    assert.equal(report.result, 'FAILURE');
    const error =
      'chainloopAttestation: the test reports the junit step recorded could not be added (script returned exit code 1; ' +
      "the CLI's error is above): fix them, or pass junitReports: false";
    assert.equal(report.message, error);
    assert.match(report.console, /all\.xml.*JUNIT_XML/, "the CLI's error names the file and the kind");
    const runs = await cp.admin().listRuns({ workflow: workflowId });
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'failed', 'the run does not stay initialized');
    assert.equal(runs[0].trigger, 'failure');
    assert.equal(
      runs[0].reason,
      `Jenkins build jenkins-${job}-7: attestation push failed (${error}): its error is in the build log`,
    );
    // The add failed first, so the pushing finish never ran: the one finish is the reset.
    const finishes = shScripts(report).filter((s) => s.includes(' attestation finish '));
    assert.equal(finishes.length, 1, finishes.join('\n'));
    assert.match(finishes[0], /--reason /);
  });

  it("the README's example attests the reports junit recorded and the scan chainloopAdd(reports:) matched", async () => {
    const { byName } = await pushedMaterials('readme-reports');
    assertReports('readme-reports', byName, recorded);
    const scan = byName.get('app');
    assert.equal(scan?.annotations['chainloop.material.type'], 'SARIF', 'the kind was detected');
    assert.equal(scan?.digest.sha256, sha256(join(vectors, 'materials', 'report.sarif')));
    assert.equal(byName.size, 5, 'three reports, the scan and the runner context');
  });

  it('no secret reaches the recorded steps or the build log', () => {
    for (const [job, { report, token }] of jobs) {
      const recordedText = JSON.stringify(report);
      for (const secret of [token, password]) assert.ok(!recordedText.includes(secret), `${job}: a secret leaked`);
    }
  });
});

/** A shell script writing the report files, as a test run would. */
function writeReportsScript(files: Record<string, string>): string {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const lines = ['#!/bin/sh', 'set -e'];
  for (const [file, content] of Object.entries(files)) {
    lines.push(`mkdir -p ${quote(file.slice(0, file.lastIndexOf('/')))}`);
    lines.push(`cat > ${quote(file)} <<'XML'`, content.trimEnd(), 'XML');
  }
  return `${lines.join('\n')}\n`;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
