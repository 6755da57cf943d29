/**
 * The catalog project's own .gitlab-ci.yml: schema-valid, and under gitlab-ci-local it resolves both components at
 * the project's commit, runs only its check job (the self-included jobs are never run) and no release off a tag.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { fixtures } from '../../../e2e/support/paths';
import { type ComponentProject, componentRoot, createComponentProject } from './support/component-project';
import { runGitlabCiLocal } from './support/gitlab-ci-local';

const pipeline = readFileSync(join(componentRoot, '.gitlab-ci.yml'), 'utf8');
const projects: ComponentProject[] = [];
after(() => {
  for (const project of projects) project.remove();
});

test('the catalog pipeline validates against the GitLab CI schema', () => {
  const schema = JSON.parse(readFileSync(join(fixtures, 'schemas', 'gitlab-ci.schema.json'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  assert.ok(validate(parse(pipeline)), JSON.stringify(validate.errors));
});

test('the catalog pipeline resolves both components and runs only its check job', async () => {
  const project = createComponentProject({ '.gitlab-ci.yml': pipeline });
  projects.push(project);
  const run = await runGitlabCiLocal({ cwd: project.dir });
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, new RegExp(`attest-pipeline and attest-job resolved at ${project.sha}`));
  assert.doesNotMatch(run.output, /selftest-\w+\s+starting/);
  assert.doesNotMatch(run.output, /release\s+starting/);
  const listed = await runGitlabCiLocal({ cwd: project.dir, args: ['--list-json'] });
  const jobs = JSON.parse(listed.output.slice(listed.output.indexOf('['))) as Array<{ name: string; when: string }>;
  const never = jobs.filter((job) => job.when === 'never').map((job) => job.name);
  assert.deepEqual(never.sort(), ['release', 'selftest-init', 'selftest-job', 'selftest-push', 'selftest-reset']);
});
