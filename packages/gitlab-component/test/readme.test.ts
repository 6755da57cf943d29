/**
 * The README is what the Catalog shows: its examples, copied into a project as they are, run green pipelines, and its
 * inputs tables say what the templates declare.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import {
  type ComponentProject,
  componentRoot,
  createComponentProject,
  templatesDir,
} from './support/component-project';
import { RUNNER_VARIABLES, runGitlabCiLocal } from './support/gitlab-ci-local';
import {
  assertNoSecrets,
  cliBundle,
  createWorkflow,
  junitReport,
  onlyRun,
  verifiedStatement,
} from './support/scenario';

const readme = readFileSync(join(componentRoot, 'README.md'), 'utf8');
const COMPONENTS = ['attest-pipeline', 'attest-job'];

let cp: TestControlPlane;
const projects: ComponentProject[] = [];

before(async () => {
  assert.ok(existsSync(cliBundle), `${cliBundle} missing: run npm run build first`);
  cp = await startControlPlane();
});

after(async () => {
  await cp?.stop();
  for (const project of projects) project.remove();
});

/** The YAML block right after `<!-- example: <component> -->`. */
function example(component: string): string {
  const match = new RegExp(`<!-- example: ${component} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(match, `README has no example for ${component}`);
  return match[1];
}

/** The README section of a component: from its `### ` heading to the next heading of that level or higher. */
function section(component: string): string {
  const start = readme.indexOf(`### ${component}\n`);
  assert.ok(start >= 0, `README has no section for ${component}`);
  const rest = readme.slice(start + 4);
  const end = rest.search(/\n##+ /);
  return end >= 0 ? rest.slice(0, end) : rest;
}

for (const component of COMPONENTS) {
  test(`README: the ${component} example, copied as it is, runs a green pipeline with a verified attestation`, async () => {
    const workflow = await createWorkflow(cp);
    // Only the include address changes: this throwaway repo is the component project at its own commit.
    const pipeline = example(component).replace(
      `$CI_SERVER_FQDN/chainloop-ts/gitlab-component/${component}@0.1.0`,
      `$CI_SERVER_FQDN/$CI_PROJECT_PATH/${component}@$CI_COMMIT_SHA`,
    );
    assert.notEqual(pipeline, example(component));
    const created = createComponentProject({
      '.gitlab-ci.yml': pipeline,
      'src/main.c': 'int main(void) { return 0; }\n',
      'run-tests.sh': `#!/bin/sh\n# stands in for the project's test runner: writes a JUnit report where --junit says\nmkdir -p "$(dirname "$2")" && cat > "$2" <<'EOF'\n${junitReport}EOF\n`,
    });
    projects.push(created);
    // The example's control plane is a placeholder: point it at the test one, and use the bundled CLI.
    const run = await runGitlabCiLocal({
      cwd: created.dir,
      variables: RUNNER_VARIABLES,
      secrets: workflow.secrets,
      args: ['--input', `control-plane=${cp.url}`, '--input', `cli-path=${cliBundle}`],
    });
    assert.equal(run.status, 0, run.output);
    assertNoSecrets(workflow, run.output);
    assertNoSecrets(workflow, run.argv.join(' '));
    const stored = await onlyRun(cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(cp, stored.id);
    const names = statement.predicate.materials.map((m) => m.annotations['chainloop.material.name']).sort();
    assert.deepEqual(names, ['binary', 'build-ref', 'unit-tests']);
  });

  test(`README: the ${component} inputs table lists every input with its type and default`, () => {
    const [header] = parseAllDocuments(readFileSync(join(templatesDir, `${component}.yml`), 'utf8')) as unknown as [
      { toJS(): { spec: { inputs: Record<string, { type?: string; default?: unknown }> } } },
    ];
    const inputs = header.toJS().spec.inputs;
    const rows = Object.fromEntries(
      [...section(component).matchAll(/^\| `([\w-]+)`\s*\|[^|]*\|\s*(\w+)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [
        m[1],
        { type: m[2], default: m[3] },
      ]),
    );
    assert.deepEqual(Object.keys(rows).sort(), Object.keys(inputs).sort());
    for (const [name, input] of Object.entries(inputs)) {
      assert.equal(rows[name].type, input.type ?? 'string', `${name}: type`);
      const expected =
        input.default === undefined
          ? 'required'
          : `\`${typeof input.default === 'string' && input.default === '' ? "''" : JSON.stringify(input.default).replace(/^"|"$/g, '')}\``;
      assert.equal(rows[name].default, expected, `${name}: default`);
    }
  });
}
