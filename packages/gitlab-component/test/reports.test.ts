/**
 * The reports a job declares under artifacts:reports are attested by the after_script of .chainloop-add, with no
 * `chainloop attestation add` line and nothing repeated in the job: real pipelines under gitlab-ci-local, the bundled
 * CLI reading the pipeline's .gitlab-ci.yml (and its local includes), a real control plane, and the pushed
 * statement's materials and kinds.
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
  'tool-output/junit-java.xml': 'junit.xml',
};
/** The file's vector; the Java suite's JUnit report is renamed so that its bytes differ from the other one's. */
const toolOutput = (file: string) => {
  const text = readFileSync(join(vectors, 'materials', TOOL_OUTPUT[file]), 'utf8');
  return file === 'tool-output/junit-java.xml' ? text.replaceAll('Tests.Registration', 'Java.Registration') : text;
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A user's pipeline whose jobs run their tools and declare what they wrote under artifacts:reports, no job with a
 * `chainloop` line but one: java-tests adds its JUnit report itself, which must not be attested twice. The sast job
 * also declares a secret_detection report its tool did not write this time. unit-tests gets its reports from a
 * template in a local include (extends), java-tests its coverage through a YAML anchor.
 */
function reportsPipeline(inputs = ''): string {
  return `stages: [build, test]

include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA
    inputs:
      control-plane: ${scenario.cp.url}
      cli-path: ${cliBundle}
${inputs}  - local: ci/report-templates.yml

.jacoco: &jacoco
  coverage_report: {coverage_format: jacoco, path: target/site/jacoco/jacoco.xml}

sbom:
  stage: build
  extends: .chainloop-add
  script:
    - cp tool-output/sbom.json sbom.cdx.json
  artifacts:
    reports:
      cyclonedx: sbom.cdx.json

sast:
  stage: build
  extends: .chainloop-add
  script:
    - cp tool-output/gl-sast-report.json gl-sast-report.json
  artifacts:
    reports:
      sast: gl-sast-report.json
      secret_detection: gl-secret-detection-report.json

unit-tests:
  stage: test
  extends: [.chainloop-add, .unit-reports]
  script:
    - mkdir -p reports coverage
    - cp tool-output/junit.xml reports/junit.xml
    - cp tool-output/cobertura.xml coverage/cobertura-coverage.xml

java-tests:
  stage: test
  extends: .chainloop-add
  script:
    - mkdir -p target/site/jacoco target/surefire-reports
    - cp tool-output/jacoco.xml target/site/jacoco/jacoco.xml
    - cp tool-output/junit-java.xml target/surefire-reports/TEST-java.xml
    - chainloop attestation add --from-glob target/surefire-reports/TEST-java.xml
  artifacts:
    reports:
      <<: *jacoco
      junit: target/surefire-reports/*.xml
`;
}

/** The local include unit-tests extends: its reports are declared here, not in the job. */
const REPORT_TEMPLATES = `.unit-reports:
  artifacts:
    reports:
      junit: [reports/junit.xml]
      coverage_report:
        coverage_format: cobertura
        path: coverage/cobertura-coverage.xml
`;

function project(inputs = ''): ComponentProject {
  const files = Object.fromEntries(Object.keys(TOOL_OUTPUT).map((file) => [file, toolOutput(file)]));
  return scenario.project({
    '.gitlab-ci.yml': reportsPipeline(inputs),
    'ci/report-templates.yml': REPORT_TEMPLATES,
    ...files,
  });
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
      'test-java': 'JUNIT_XML',
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
    assert.equal(digests['test-java'], sha256(toolOutput('tool-output/junit-java.xml')));
    assert.notEqual(digests['test-java'], digests.junit);

    // The job's log says what it attested; a declared report the tool did not write is a warning, not a failure.
    assert.match(
      run.output,
      /unit-tests\s+> INF attesting junit report reports\/junit\.xml as JUNIT_XML \(declared in \.gitlab-ci\.yml job "unit-tests"\)/,
    );
    assert.match(
      run.output,
      /java-tests\s+> INF attesting coverage_report \(jacoco\) report target\/site\/jacoco\/jacoco\.xml as JACOCO_XML/,
    );
    // The JUnit report java-tests added itself is not attested a second time.
    assert.match(
      run.output,
      /java-tests\s+> INF target\/surefire-reports\/TEST-java\.xml: already in the attestation as material "test-java", not added again/,
    );
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
  // Only what java-tests' script added itself.
  assert.deepEqual(materialKinds(statement), { 'test-java': 'JUNIT_XML', ...RUNNER_CONTEXT });
  assert.doesNotMatch(run.output, /attesting .* report/);
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
`,
      'sbom.cdx.json': toolOutput('tool-output/sbom.json'),
    });
    const run = await runPipeline(workflow, created.dir);
    // GitLab ignores after_script's exit code: the job and the push succeed, the log says what was left out and why.
    assert.equal(run.status, 0, run.output);
    assert.match(
      run.output,
      /tests\s+> WRN \.gitlab-ci\.yml job "tests" artifacts:reports: dotenv has no Chainloop kind, not attested/,
    );
    assert.match(run.output, /tests\s+> ERR .*junit\.xml.*JUNIT_XML/);
    assert.match(run.output, /tests\s+> ERR the declared reports junit\.xml were not attested \(why is above\)/);
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

test(
  "docs/ci-adapters.md: the GitLab example, copied as it is, attests the unit tests' JUnit report with no add line",
  TIMEOUT,
  async () => {
    const page = readFileSync(join(componentRoot, '..', '..', 'docs', 'ci-adapters.md'), 'utf8');
    const section = page.slice(page.indexOf('## GitLab CI/CD'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    assert.ok(
      example?.includes('junit: reports/junit.xml'),
      'the page has the GitLab example declaring its JUnit report',
    );
    const pipeline = example.replace(
      '$CI_SERVER_FQDN/chainloop-ts/gitlab-component/attest-pipeline@0.1.0',
      '$CI_SERVER_FQDN/$CI_PROJECT_PATH/attest-pipeline@$CI_COMMIT_SHA',
    );
    assert.notEqual(pipeline, example);
    // The contract the example's team would have: the two materials its jobs add by name.
    const workflow = await createWorkflow(
      scenario.cp,
      `${REPORTS_CONTRACT}materials:\n  - type: STRING\n    name: build-ref\n  - type: ARTIFACT\n    name: binary\n`,
    );
    const created = scenario.project({
      '.gitlab-ci.yml': pipeline,
      'src/main.c': 'int main(void) { return 0; }\n',
      'tool-output/junit.xml': toolOutput('tool-output/junit.xml'),
      // Stands in for the project's test runner: writes the JUnit report where --junit says.
      'run-tests.sh': '#!/bin/sh\nmkdir -p "$(dirname "$2")" && cp tool-output/junit.xml "$2"\n',
    });
    const run = await runPipeline(workflow, created.dir, { args: ['--input', `control-plane=${scenario.cp.url}`] });
    assert.equal(run.status, 0, run.output);
    const stored = await onlyRun(scenario.cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(scenario.cp, stored.id);
    assert.deepEqual(materialKinds(statement), {
      'build-ref': 'STRING',
      binary: 'ARTIFACT',
      junit: 'JUNIT_XML',
      ...RUNNER_CONTEXT,
    });
  },
);
