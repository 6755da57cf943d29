/**
 * `attestation add --from-glob` with the bundled CLI against the control plane it embeds: what a CI job's after-script
 * sees when it attests the reports a run wrote — each file its own material, named after it and made unique, kinds
 * detected; nothing matched is a warning and exit 0; a file of the wrong kind is one ERR line naming it, with nothing
 * added; and the pushed statement carries every material with its annotations and policy results.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type CliResult, embeddedControlPlane, runCli } from '../helpers/control-plane-cli';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const signingKey = join(fixtures, 'keys', 'generated__p256_N65536.key');
const publicKey = join(fixtures, 'keys', 'generated__p256_N65536.pub');
const signingPassword = 'correct horse battery staple';

/** Where a build leaves its reports: two JUnit files of the same name, a SARIF scan and a CycloneDX SBOM. */
const REPORTS: Record<string, string> = {
  'reports/unit/junit.xml': 'junit.xml',
  'reports/integration/junit.xml': 'junit.xml',
  'reports/scan/semgrep.sarif': 'report.sarif',
  'sbom/app.cdx.json': 'sbom.cyclonedx-1.5.json',
};

/** No declared materials; an advisory policy on every JUnit report (junit.xml has one failed case). */
const CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: reports
spec:
  policies:
    materials:
      - ref: builtin://junit-no-failures
`;

function lines(result: CliResult, level: 'ERR' | 'WRN' | 'INF'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

function sha256(path: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

interface Added {
  name: string;
  kind: string;
  file: string;
  digest: string;
}

describe('attestation add --from-glob against the embedded control plane', { timeout: 300_000 }, () => {
  const cp = embeddedControlPlane('cli-from-glob-');

  /** A workflow with the contract above, a CI job's folder holding `files` and an initialized attestation. */
  async function job(name: string, files: Record<string, string> = REPORTS) {
    const workflow = await cp.admin.createWorkflow({ name, team: 'cyberdyne core', project: 'skynet' });
    await cp.admin.updateContract(workflow.id, CONTRACT);
    const robot = await cp.admin.createRobotAccount(workflow.id);
    assert.ok(robot.token);
    const cwd = mkdtempSync(join(cp.root, `${name}-`));
    for (const [path, vector] of Object.entries(files)) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      copyFileSync(join(fixtures, 'materials', vector), join(cwd, path));
    }
    // The state sits in the job's folder, as by default: --from-glob must never take it for a report.
    const statePath = join(cwd, 'chainloop-attestation.tmp.json');
    const env = { CHAINLOOP_CONTROL_PLANE_API: cp.server.url, CHAINLOOP_ROBOT_ACCOUNT: robot.token, TMPDIR: cwd };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, '--local-state-path', statePath], { ...env, ...extra }, cwd);
    const init = cli(['attestation', 'init', '-o', 'json']);
    assert.equal(init.status, 0, init.stderr);
    const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;
    const stateMaterials = () => Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).materials).sort();
    return { cwd, runId, statePath, cli, stateMaterials };
  }

  test('nothing matched: one WRN line naming the pattern and the folder, exit 0, nothing added', async () => {
    const { cwd, statePath, cli } = await job('from-glob-none', {});
    const before = readFileSync(statePath, 'utf8');
    const added = cli(['attestation', 'add', '--from-glob', 'reports/**/*.xml', '-o', 'json']);
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(lines(added, 'WRN'), [
      `WRN --from-glob "reports/**/*.xml" matched no file in ${cwd}: nothing added for it`,
    ]);
    assert.deepEqual(lines(added, 'ERR'), []);
    assert.deepEqual(JSON.parse(added.stdout), []);
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the state is untouched');
  });

  test('one match: added under the name of its file, its kind detected; -o json lists it', async () => {
    const { cwd, cli, stateMaterials } = await job('from-glob-one');
    const added = cli(['attestation', 'add', '--from-glob', 'reports/**/*.sarif', '-o', 'json']);
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(JSON.parse(added.stdout) as Added[], [
      {
        name: 'semgrep',
        kind: 'SARIF',
        file: 'reports/scan/semgrep.sarif',
        digest: sha256(join(cwd, 'reports/scan/semgrep.sarif')),
      },
    ]);
    assert.ok(lines(added, 'INF').includes('INF 1 material added to attestation'), added.stderr);
    assert.deepEqual(stateMaterials(), ['semgrep']);
  });

  test('many matches across folders, annotated and evaluated, then pushed: the statement carries them all', async () => {
    const { cwd, runId, cli, stateMaterials } = await job('from-glob-many');
    const added = cli([
      'attestation',
      'add',
      '--from-glob',
      'reports/**/*.xml',
      '--from-glob',
      'reports/**/*.sarif',
      '--from-glob',
      '**/*.json',
      '--annotation',
      'team=qa',
      '-o',
      'json',
    ]);
    assert.equal(added.status, 0, added.stderr);
    const listed = JSON.parse(added.stdout) as Added[];
    assert.deepEqual(
      listed.map(({ name, kind, file }) => [name, kind, file]),
      [
        ['junit', 'JUNIT_XML', 'reports/integration/junit.xml'],
        ['semgrep', 'SARIF', 'reports/scan/semgrep.sarif'],
        ['junit-1', 'JUNIT_XML', 'reports/unit/junit.xml'],
        ['app-cdx', 'SBOM_CYCLONEDX_JSON', 'sbom/app.cdx.json'],
      ],
    );
    for (const { file, digest } of listed) assert.equal(digest, sha256(join(cwd, file)), file);
    assert.ok(lines(added, 'INF').includes('INF 4 materials added to attestation'), added.stderr);
    // The contract's policy ran on each JUnit report, as on a single add.
    for (const name of ['junit', 'junit-1']) {
      assert.ok(
        lines(added, 'WRN').some(
          (line) =>
            line.startsWith('WRN policy junit-no-failures: 1 violation') && line.endsWith(`(material "${name}")`),
        ),
        `policy result for ${name}:\n${added.stderr}`,
      );
    }
    assert.deepEqual(stateMaterials(), ['app-cdx', 'junit', 'junit-1', 'semgrep']);

    // Run again: new names, nothing replaced.
    const again = cli(['attestation', 'add', '--from-glob', 'reports/unit/*.xml', '-o', 'json']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(
      (JSON.parse(again.stdout) as Added[]).map(({ name }) => name),
      ['junit-2'],
    );

    const pushed = cli(['attestation', 'push', '--key', signingKey, '-o', 'json'], {
      CHAINLOOP_SIGNING_PASSWORD: signingPassword,
    });
    assert.equal(pushed.status, 0, pushed.stderr);
    const stored = await cp.admin.getAttestation(runId);
    const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: readFileSync(publicKey, 'utf8') });
    const predicate = statement.predicate as {
      materials: Array<{ digest: { sha256: string }; annotations: Record<string, string> }>;
      policyEvaluations: Record<string, Array<{ name: string }>>;
    };
    const byName = Object.fromEntries(
      predicate.materials.map((material) => [material.annotations['chainloop.material.name'], material]),
    );
    assert.deepEqual(Object.keys(byName).sort(), ['app-cdx', 'junit', 'junit-1', 'junit-2', 'semgrep']);
    for (const { name, kind, digest } of listed) {
      assert.equal(byName[name].annotations['chainloop.material.type'], kind, name);
      assert.equal(`sha256:${byName[name].digest.sha256}`, digest, name);
      assert.equal(byName[name].annotations.team, 'qa', name);
    }
    assert.deepEqual(Object.keys(predicate.policyEvaluations).sort(), ['junit', 'junit-1', 'junit-2']);
  });

  test('--kind with a file of another kind: one ERR line naming file, kind and reason; exit 1; nothing added', async () => {
    const { statePath, cli, stateMaterials } = await job('from-glob-wrong-kind');
    const before = readFileSync(statePath, 'utf8');
    const refused = cli(['attestation', 'add', '--from-glob', 'reports/**/*', '--kind', 'JUNIT_XML']);
    assert.equal(refused.status, 1, `a wrong kind must fail:\n${refused.stderr}`);
    const errors = lines(refused, 'ERR');
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(
      errors[0],
      /^ERR material "semgrep": file reports\/scan\/semgrep\.sarif is not a valid JUNIT_XML: .+; nothing added from --from-glob \(every match is checked first\)$/,
    );
    assert.equal(readFileSync(statePath, 'utf8'), before, 'the valid JUnit reports were not added either');

    const junitOnly = cli(['attestation', 'add', '--from-glob', 'reports/**/*.xml', '--kind', 'JUNIT_XML']);
    assert.equal(junitOnly.status, 0, junitOnly.stderr);
    assert.deepEqual(stateMaterials(), ['junit', 'junit-1']);
  });

  test('--from-glob with --name, --value or --policy-input is a usage error (exit 2)', async () => {
    const { cli } = await job('from-glob-conflict');
    const conflict = cli(['attestation', 'add', '--from-glob', '**/*.xml', '--name', 'tests']);
    assert.equal(conflict.status, 2, conflict.stderr);
    assert.deepEqual(lines(conflict, 'ERR'), [
      'ERR --from-glob names each material after its file: it cannot be combined with --name',
    ]);
  });

  test("--declared-reports gitlab: the job's artifacts:reports from .gitlab-ci.yml, each with its kind; a file already added is not added twice; a wrong report fails alone", async () => {
    const { cwd, cli, stateMaterials } = await job('declared-reports');
    writeFileSync(
      join(cwd, '.gitlab-ci.yml'),
      [
        '.reports:',
        '  artifacts:',
        '    reports:',
        '      junit: reports/**/junit.xml',
        '      sast: reports/scan/semgrep.sarif',
        '      cyclonedx: sbom/app.cdx.json',
        '      dotenv: build.env',
        'scan:',
        '  extends: [.chainloop-add, .reports]',
        '  script: [make scan]',
        '',
      ].join('\n'),
    );
    const gitlab = { CI_PROJECT_DIR: cwd, CI_JOB_NAME: 'scan' };
    const own = cli(['attestation', 'add', '--from-glob', 'sbom/app.cdx.json']);
    assert.equal(own.status, 0, own.stderr);
    const added = cli(['attestation', 'add', '--declared-reports', 'gitlab'], gitlab);
    // The SARIF file is not a GitLab security report: that report fails, alone, and the command exits 1.
    assert.equal(added.status, 1, added.stderr);
    assert.deepEqual(stateMaterials(), ['app-cdx', 'junit', 'junit-1']);
    assert.ok(
      lines(added, 'WRN').includes(
        'WRN .gitlab-ci.yml job "scan" artifacts:reports: dotenv has no Chainloop kind, not attested (attested: junit, cyclonedx, sast, secret_detection, container_scanning, dependency_scanning, coverage_report)',
      ),
      added.stderr,
    );
    assert.ok(
      lines(added, 'INF').includes(
        'INF sbom/app.cdx.json: already in the attestation as material "app-cdx", not added again',
      ),
      added.stderr,
    );
    const errors = lines(added, 'ERR');
    assert.equal(errors.length, 2, added.stderr);
    assert.match(errors[0], /reports\/scan\/semgrep\.sarif .*GITLAB_SECURITY_REPORT/);
    assert.equal(
      errors[1],
      'ERR the declared reports reports/scan/semgrep.sarif were not attested (why is above): fix each report, or its entry in artifacts:reports, and rerun the job',
    );
  });

  test('--declared-reports for another CI, or with --name or --from-glob, is a usage error (exit 2)', async () => {
    const { cli } = await job('declared-reports-usage');
    const jenkins = cli(['attestation', 'add', '--declared-reports', 'jenkins']);
    assert.equal(jenkins.status, 2, jenkins.stderr);
    assert.deepEqual(lines(jenkins, 'ERR'), [
      "ERR --declared-reports jenkins: only gitlab is known (a job's artifacts:reports); in other CIs add report files with --from-glob PATTERN",
    ]);
    const conflict = cli(['attestation', 'add', '--declared-reports', 'gitlab', '--from-glob', '*.xml', '--name', 'x']);
    assert.equal(conflict.status, 2, conflict.stderr);
    assert.deepEqual(lines(conflict, 'ERR'), [
      "ERR --declared-reports adds the job's reports with their own names and kinds: it cannot be combined with --name, --from-glob",
    ]);
  });
});
