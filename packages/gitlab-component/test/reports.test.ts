/**
 * The reports a job declares (artifacts:reports, listed again in CHAINLOOP_REPORTS) are attested by the after_script of
 * .chainloop-add, with no `chainloop attestation add` line in the job: real pipelines under gitlab-ci-local, the bundled
 * CLI, a real control plane, and the pushed statement's materials and kinds.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { vectors } from '../../../e2e/support/paths';
import { type ComponentProject, componentRoot } from './support/component-project';
import {
  cliBundle,
  createWorkflow,
  materialKinds,
  onlyRun,
  pipelineScenario,
  RUNNER_CONTEXT,
  runPipeline,
  verifiedStatement,
} from './support/scenario';

const scenario = pipelineScenario();
const TIMEOUT = { timeout: 240_000 };

/** A contract that requires no material: what gets attested is only what the pipeline's reports bring. */
const REPORTS_CONTRACT = 'schemaVersion: v1\nrunner:\n  type: GITLAB_PIPELINE\n';

/** What the jobs' tools "write": Chainloop-valid reports from fixtures/vectors/materials (see its README). */
const TOOL_OUTPUT: Record<string, string> = {
  'tool-output/junit.xml': 'junit.xml',
  'tool-output/sbom.json': 'sbom.cyclonedx-1.5.json',
  'tool-output/gl-sast-report.json': 'gl-sast-report.json',
  'tool-output/cobertura.xml': 'cobertura.xml',
  'tool-output/jacoco.xml': 'jacoco.xml',
};
const toolOutput = (file: string) => readFileSync(join(vectors, 'materials', TOOL_OUTPUT[file]), 'utf8');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A user's pipeline whose jobs run their tools and declare what they wrote under artifacts:reports (and, as the
 * component asks, the same lines in CHAINLOOP_REPORTS): no job has a `chainloop` line. The sast job also declares a
 * secret_detection report its tool did not write this time.
 */
function reportsPipeline(inputs = ''): string {
  return `stages: [build, test]

include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
      cli-path: ${cliBundle}
${inputs}
sbom:
  stage: build
  extends: .chainloop-add
  script:
    - cp tool-output/sbom.json sbom.cdx.json
  artifacts:
    reports:
      cyclonedx: sbom.cdx.json
  variables:
    CHAINLOOP_REPORTS: "cyclonedx: sbom.cdx.json"

sast:
  stage: build
  extends: .chainloop-add
  script:
    - cp tool-output/gl-sast-report.json gl-sast-report.json
  artifacts:
    reports:
      sast: gl-sast-report.json
      secret_detection: gl-secret-detection-report.json
  variables:
    CHAINLOOP_REPORTS: |
      sast: gl-sast-report.json
      secret_detection: gl-secret-detection-report.json

unit-tests:
  stage: test
  extends: .chainloop-add
  script:
    - mkdir -p reports coverage
    - cp tool-output/junit.xml reports/junit.xml
    - cp tool-output/cobertura.xml coverage/cobertura-coverage.xml
  artifacts:
    reports:
      junit: [reports/junit.xml]
      coverage_report:
        coverage_format: cobertura
        path: coverage/cobertura-coverage.xml
  variables:
    CHAINLOOP_REPORTS: |
      junit: [reports/junit.xml]
      coverage_report:
        coverage_format: cobertura
        path: coverage/cobertura-coverage.xml

java-tests:
  stage: test
  extends: .chainloop-add
  script:
    - mkdir -p target/site/jacoco && cp tool-output/jacoco.xml target/site/jacoco/jacoco.xml
  artifacts:
    reports:
      coverage_report: {coverage_format: jacoco, path: target/site/jacoco/jacoco.xml}
  variables:
    CHAINLOOP_REPORTS: "coverage_report: {coverage_format: jacoco, path: target/site/jacoco/jacoco.xml}"
`;
}

function project(inputs = ''): ComponentProject {
  const files = Object.fromEntries(Object.keys(TOOL_OUTPUT).map((file) => [file, toolOutput(file)]));
  return scenario.project({ '.gitlab-ci.yml': reportsPipeline(inputs), ...files });
}

test(
  'jobs that declare artifacts:reports and no add line: the pushed attestation holds each report, of its kind',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp, REPORTS_CONTRACT);
    const { dir } = project();
    const run = await runPipeline(workflow, dir);
    assert.equal(run.status, 0, run.output);

    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(scenario.cp, stored.id);
    assert.deepEqual(materialKinds(statement), {
      'sbom-cdx': 'SBOM_CYCLONEDX_JSON',
      'gl-sast-report': 'GITLAB_SECURITY_REPORT',
      junit: 'JUNIT_XML',
      'cobertura-coverage': 'COBERTURA_XML',
      jacoco: 'JACOCO_XML',
      ...RUNNER_CONTEXT,
    });
    // The very files the jobs wrote, by digest.
    const digests = Object.fromEntries(
      (
        statement.predicate.materials as Array<{ annotations: Record<string, string>; digest?: { sha256?: string } }>
      ).map((m) => [m.annotations['chainloop.material.name'], m.digest?.sha256]),
    );
    assert.equal(digests['sbom-cdx'], sha256(toolOutput('tool-output/sbom.json')));
    assert.equal(digests['gl-sast-report'], sha256(toolOutput('tool-output/gl-sast-report.json')));
    assert.equal(digests.junit, sha256(toolOutput('tool-output/junit.xml')));
    assert.equal(digests['cobertura-coverage'], sha256(toolOutput('tool-output/cobertura.xml')));
    assert.equal(digests.jacoco, sha256(toolOutput('tool-output/jacoco.xml')));

    // The job's log says what it attested; a declared report the tool did not write is a warning, not a failure.
    assert.match(run.output, /unit-tests\s+> INF attesting report reports\/junit\.xml as JUNIT_XML/);
    assert.match(run.output, /java-tests\s+> INF attesting report target\/site\/jacoco\/jacoco\.xml as JACOCO_XML/);
    assert.match(run.output, /sast\s+> WRN --from-glob "gl-secret-detection-report\.json" matched no file in /);
    assert.doesNotMatch(run.output, /> ERR /);
  },
);

test('attest-reports: false: the same pipeline pushes an attestation with none of the reports', TIMEOUT, async () => {
  const workflow = await createWorkflow(scenario.cp, REPORTS_CONTRACT);
  const { dir } = project('      attest-reports: false\n');
  const run = await runPipeline(workflow, dir);
  assert.equal(run.status, 0, run.output);

  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
  const statement = await verifiedStatement(scenario.cp, stored.id);
  assert.deepEqual(materialKinds(statement), RUNNER_CONTEXT);
  assert.doesNotMatch(run.output, /attesting report/);
});

test(
  'a report that is not of its kind: an ERR line names it, the others are attested, the job stays green',
  TIMEOUT,
  async () => {
    const workflow = await createWorkflow(scenario.cp, REPORTS_CONTRACT);
    const created = scenario.project({
      '.gitlab-ci.yml': `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
      cli-path: ${cliBundle}

tests:
  stage: test
  extends: .chainloop-add
  script:
    - echo "not a test report" > junit.xml
  artifacts:
    reports:
      junit: junit.xml
      cyclonedx: sbom.cdx.json
      dotenv: build.env
  variables:
    CHAINLOOP_REPORTS: |
      junit: junit.xml
      cyclonedx: sbom.cdx.json
      dotenv: build.env
`,
      'sbom.cdx.json': toolOutput('tool-output/sbom.json'),
    });
    const run = await runPipeline(workflow, created.dir);
    // GitLab ignores after_script's exit code: the job and the push succeed, the log says what was left out and why.
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /tests\s+> WRN CHAINLOOP_REPORTS line 3: artifacts:reports:dotenv has no Chainloop kind/);
    assert.match(run.output, /tests\s+> ERR .*junit\.xml/);
    assert.match(run.output, /tests\s+> ERR some reports of job tests were not attested \(see above\)/);
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(scenario.cp, stored.id);
    assert.deepEqual(materialKinds(statement), { 'sbom-cdx': 'SBOM_CYCLONEDX_JSON', ...RUNNER_CONTEXT });
  },
);

test('README: the reports example, copied as it is, attests its JUnit and Cobertura reports', TIMEOUT, async () => {
  const readme = readFileSync(join(componentRoot, 'README.md'), 'utf8');
  const example = /<!-- example: attest-pipeline-reports -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has the reports example');
  // Only the include address changes (this throwaway repo is the component project); the control plane is an input.
  const pipeline = example.replace(
    '$CI_SERVER_FQDN/chainloop-ts/gitlab-component/attest-pipeline@0.1.0',
    '$CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA',
  );
  assert.notEqual(pipeline, example);
  const workflow = await createWorkflow(scenario.cp, REPORTS_CONTRACT);
  const created = scenario.project({
    '.gitlab-ci.yml': pipeline,
    ...Object.fromEntries(Object.keys(TOOL_OUTPUT).map((file) => [file, toolOutput(file)])),
    // Stands in for the project's test runner: writes the reports where --junit and --coverage say.
    'run-tests.sh': `#!/bin/sh
mkdir -p "$(dirname "$2")" "$(dirname "$4")"
cp tool-output/junit.xml "$2" && cp tool-output/cobertura.xml "$4"
`,
  });
  const run = await runPipeline(workflow, created.dir, { args: ['--input', `control-plane=${scenario.cp.url}`] });
  assert.equal(run.status, 0, run.output);
  const stored = await onlyRun(scenario.cp, workflow);
  assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
  const statement = await verifiedStatement(scenario.cp, stored.id);
  assert.deepEqual(materialKinds(statement), { junit: 'JUNIT_XML', cobertura: 'COBERTURA_XML', ...RUNNER_CONTEXT });
});
