/**
 * The reports a GitLab job declares under artifacts:reports, read from the pipeline's CI config in the checkout as
 * GitLab reads it (local includes, extends, default, anchors and merge keys, !reference, parallel job names), or
 * from CHAINLOOP_REPORTS when the job lists them itself.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isChainloopError } from '../../src/errors';
import { gitlabDeclaredReports } from '../../src/runners';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A checkout holding the given files. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gitlab-reports-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function declared(files: Record<string, string>, job: string, extra: Record<string, string> = {}) {
  const root = project(files);
  return gitlabDeclaredReports({ CI_PROJECT_DIR: root, CI_JOB_NAME: job, ...extra }, root);
}

const asLines = (reports: Array<{ report: string; kind: string; path: string }>) =>
  reports.map(({ report, kind, path }) => `${report} ${kind} ${path}`);

describe('gitlabDeclaredReports', { timeout: 30_000 }, () => {
  test("a job's own artifacts:reports, each report type with its kind", async () => {
    const result = await declared(
      {
        '.gitlab-ci.yml': `
unit-tests:
  script: [make test]
  artifacts:
    paths: [dist/]
    reports:
      junit: [reports/unit.xml, "reports/it-*.xml"]
      cyclonedx: sbom.cdx.json
      sast: gl-sast-report.json
      secret_detection: gl-secret-detection-report.json
      container_scanning: gl-container-scanning-report.json
      dependency_scanning: gl-dependency-scanning-report.json
      coverage_report:
        coverage_format: cobertura
        path: coverage/cobertura.xml
      dotenv: build.env
`,
      },
      'unit-tests',
    );
    assert.equal(result.source, '.gitlab-ci.yml job "unit-tests"');
    assert.deepEqual(asLines(result.reports), [
      'junit JUNIT_XML reports/unit.xml',
      'junit JUNIT_XML reports/it-*.xml',
      'cyclonedx SBOM_CYCLONEDX_JSON sbom.cdx.json',
      'sast GITLAB_SECURITY_REPORT gl-sast-report.json',
      'secret_detection GITLAB_SECURITY_REPORT gl-secret-detection-report.json',
      'container_scanning GITLAB_SECURITY_REPORT gl-container-scanning-report.json',
      'dependency_scanning GITLAB_SECURITY_REPORT gl-dependency-scanning-report.json',
      'coverage_report (cobertura) COBERTURA_XML coverage/cobertura.xml',
    ]);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /artifacts:reports: dotenv has no Chainloop kind, not attested/);
  });

  test('extends chains, local includes (nested, globbed), default:, anchors, merge keys and !reference', async () => {
    const result = await declared(
      {
        '.gitlab-ci.yml': `
include:
  - local: /ci/templates.yml
  - component: $CI_SERVER_FQDN/chainloop-ts/gitlab-component/attest-pipeline@0.1.0
  - remote: https://example.com/ci.yml
default:
  artifacts:
    reports:
      junit: default.xml
.coverage: &coverage
  coverage_report:
    coverage_format: jacoco
    path: target/site/jacoco/jacoco.xml
java-tests:
  extends: [.chainloop-add, .java]
  artifacts:
    reports:
      <<: *coverage
      sast: !reference [.scanners, artifacts, reports, sast]
defaults-only:
  script: [true]
no-defaults:
  inherit:
    default: false
  script: [true]
`,
        'ci/templates.yml':
          'include: "ci/more/*.yml"\n.java:\n  extends: .base\n  artifacts:\n    reports:\n      junit: target/surefire-reports/*.xml\n',
        'ci/more/base.yml': '.base:\n  artifacts:\n    reports:\n      cyclonedx: target/bom.json\n',
        'ci/more/scanners.yml': '.scanners:\n  artifacts:\n    reports:\n      sast: gl-sast-report.json\n',
      },
      'java-tests',
    );
    assert.deepEqual(asLines(result.reports), [
      'cyclonedx SBOM_CYCLONEDX_JSON target/bom.json',
      'junit JUNIT_XML target/surefire-reports/*.xml',
      'coverage_report (jacoco) JACOCO_XML target/site/jacoco/jacoco.xml',
      'sast GITLAB_SECURITY_REPORT gl-sast-report.json',
    ]);
    assert.deepEqual(result.warnings, []);
    const root = project({
      '.gitlab-ci.yml':
        'default:\n  artifacts:\n    reports:\n      junit: default.xml\nplain:\n  script: [true]\nno-defaults:\n  inherit:\n    default: false\n  script: [true]\n',
    });
    const plain = await gitlabDeclaredReports({ CI_PROJECT_DIR: root, CI_JOB_NAME: 'plain' }, root);
    assert.deepEqual(asLines(plain.reports), ['junit JUNIT_XML default.xml']);
    const opted = await gitlabDeclaredReports({ CI_PROJECT_DIR: root, CI_JOB_NAME: 'no-defaults' }, root);
    assert.deepEqual(opted.reports, []);
  });

  test('the main file overrides what an include declares; CI variables in paths are expanded', async () => {
    const result = await declared(
      {
        // GitLab's ${VAR} in a path, written with \$ in a template string.
        '.gitlab-ci.yml': `include: shared.yml\ntests:\n  artifacts:\n    reports:\n      junit: $REPORTS_DIR/\${SUITE}.xml\n`,
        'shared.yml':
          'tests:\n  script: [make]\n  artifacts:\n    reports:\n      junit: old.xml\n      cyclonedx: bom.json\n',
      },
      'tests',
      { REPORTS_DIR: 'out', SUITE: 'unit' },
    );
    assert.deepEqual(asLines(result.reports), [
      'junit JUNIT_XML out/unit.xml',
      'cyclonedx SBOM_CYCLONEDX_JSON bom.json',
    ]);
  });

  test('parallel copies of a job (N/M and matrix) find the job they came from; CI_CONFIG_PATH is honoured', async () => {
    const files = { 'ci/pipeline.yml': 'tests:\n  parallel: 3\n  artifacts:\n    reports:\n      junit: report.xml\n' };
    for (const job of ['tests 2/3', 'tests: [linux, amd64]']) {
      const result = await declared(files, job, { CI_CONFIG_PATH: 'ci/pipeline.yml' });
      assert.deepEqual(asLines(result.reports), ['junit JUNIT_XML report.xml'], job);
    }
  });

  test('CHAINLOOP_REPORTS, when set, is used instead of the config', async () => {
    const result = await declared(
      { '.gitlab-ci.yml': 'tests:\n  artifacts:\n    reports:\n      junit: from-config.xml\n' },
      'tests',
      { CHAINLOOP_REPORTS: 'junit: listed.xml\ncoverage_report: {coverage_format: cobertura, path: cov.xml}\n' },
    );
    assert.equal(result.source, 'CHAINLOOP_REPORTS');
    assert.deepEqual(asLines(result.reports), [
      'junit JUNIT_XML listed.xml',
      'coverage_report (cobertura) COBERTURA_XML cov.xml',
    ]);
  });

  test('a job the checkout cannot show, a missing config, an outside config: no reports and a warning saying what to do', async () => {
    const missingJob = await declared({ '.gitlab-ci.yml': 'other:\n  script: [true]\n' }, 'scan');
    const missingConfig = await declared({}, 'scan');
    const outside = await declared({}, 'scan', { CI_CONFIG_PATH: 'ci.yml@group/ci-configs' });
    for (const result of [missingJob, missingConfig, outside]) {
      assert.deepEqual(result.reports, []);
      assert.equal(result.warnings.length, 1);
      assert.match(result.warnings[0], /list the job's reports in its CHAINLOOP_REPORTS variable/);
    }
    assert.match(missingJob.warnings[0], /^job "scan" is not in \.gitlab-ci\.yml or its local includes/);
    assert.match(missingConfig.warnings[0], /CI config \.gitlab-ci\.yml is not in /);
    assert.match(outside.warnings[0], /ci\.yml@group\/ci-configs is outside the project's checkout/);
  });

  test('a job with no artifacts:reports declares nothing, silently', async () => {
    const result = await declared({ '.gitlab-ci.yml': 'build:\n  artifacts:\n    paths: [dist]\n' }, 'build');
    assert.deepEqual(result, { source: '.gitlab-ci.yml job "build"', reports: [], warnings: [] });
  });

  test('malformed entries are errors naming the entry and how GitLab writes it', async () => {
    const cases: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
      [
        {},
        { CHAINLOOP_REPORTS: 'junit: [a.xml' },
        /^CHAINLOOP_REPORTS is not YAML .*: write it as the job's artifacts:reports/,
      ],
      [{}, { CHAINLOOP_REPORTS: '- reports/junit.xml' }, /^CHAINLOOP_REPORTS is not a map of reports/],
      [
        {},
        { CHAINLOOP_REPORTS: 'coverage_report: cov.xml' },
        /coverage_report needs coverage_format \(cobertura or jacoco\) and path/,
      ],
      [
        {},
        { CHAINLOOP_REPORTS: 'coverage_report: {coverage_format: lcov, path: cov.info}' },
        /coverage_report needs coverage_format/,
      ],
      [
        { '.gitlab-ci.yml': 't:\n  artifacts:\n    reports:\n      junit: {path: a.xml}\n' },
        {},
        /job "t" artifacts:reports: junit is not a path or a list of paths/,
      ],
      [{ '.gitlab-ci.yml': 't: [unclosed\n' }, {}, /^the CI config \.gitlab-ci\.yml is not YAML GitLab could have run/],
    ];
    for (const [files, env, message] of cases) {
      await assert.rejects(declared(files, 't', env), (error: unknown) => {
        assert.ok(isChainloopError(error), String(error));
        assert.equal(error.code, 'DECLARED_REPORTS_INVALID');
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
