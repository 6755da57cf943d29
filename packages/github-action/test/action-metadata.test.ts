/** action.yml and the sources agree: a node24 action with an always-run post step; every input read is declared, every output set. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { actionDir, actionMetadata } from './support/github-runner';

const metadata = actionMetadata();
const sources = readdirSync(join(actionDir, 'src'))
  .map((name) => readFileSync(join(actionDir, 'src', name), 'utf8'))
  .join('\n');

test('a node24 JavaScript action whose post step always runs and sees the job status', () => {
  assert.equal(metadata.runs.using, 'node24');
  assert.equal(metadata.runs.main, 'dist/main.js');
  assert.equal(metadata.runs.post, 'dist/post.js');
  assert.equal(metadata.runs['post-if'], 'always()');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the GitHub expression the runner evaluates
  assert.equal(metadata.inputs['job-status'].default, '${{ job.status }}');
  for (const file of [metadata.runs.main, metadata.runs.post]) assert.ok(existsSync(join(actionDir, file)), file);
});

test('the inputs the sources read are the inputs action.yml declares', () => {
  const read = new Set([...sources.matchAll(/(?:optionalInput|booleanInput|getInput)\('([a-z-]+)'/g)].map((m) => m[1]));
  // Two empty sets are equal too: a pattern that stopped matching would prove nothing.
  assert.ok(read.has('token') && read.has('signing-key'), `inputs read: ${[...read]}`);
  assert.deepEqual([...read].sort(), Object.keys(metadata.inputs).sort());
});

test('the outputs the sources set are the outputs action.yml declares', () => {
  const set = new Set([...sources.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]));
  assert.ok(set.has('attestation-id') && set.has('digest'), `outputs set: ${[...set]}`);
  assert.deepEqual([...set].sort(), Object.keys(metadata.outputs).sort());
});

test('the reports input is optional, empty by default, and says how to list globs and what a miss does', () => {
  const reports = metadata.inputs.reports;
  assert.ok(reports, 'action.yml declares reports');
  assert.equal(reports.required, false);
  assert.equal(reports.default, '');
  assert.match(reports.description, /one per line or separated by commas/);
  assert.match(reports.description, /matches nothing is a warning, not a\s+failure/);
  assert.match(reports.description, /end of a successful job, before the push/);
});
