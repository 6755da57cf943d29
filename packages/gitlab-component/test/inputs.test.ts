/**
 * gitlab-ci-local (as GitLab would) refuses a pipeline whose include passes a bad input, naming the input; and two
 * includes of each component with their own names list side by side.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { type ComponentProject, createComponentProject } from './support/component-project';
import { runGitlabCiLocal } from './support/gitlab-ci-local';

const projects: ComponentProject[] = [];
after(() => {
  for (const project of projects) project.remove();
});

type Inputs = Record<string, unknown>;

function include(component: string, inputs: Inputs) {
  return { component: `$CI_SERVER_FQDN/$CI_PROJECT_PATH/${component}@$CI_COMMIT_SHA`, inputs };
}

async function list(includes: ReturnType<typeof include>[]) {
  const created = createComponentProject({ '.gitlab-ci.yml': stringify({ include: includes }) });
  projects.push(created);
  return runGitlabCiLocal({ cwd: created.dir, args: ['--list'] });
}

const valid: Inputs = { 'control-plane': 'https://chainloop.example.com' };

const refused: Array<{ component: string; inputs: Inputs; input: string; reason: RegExp }> = [
  { component: 'attest-pipeline', inputs: {}, input: 'control-plane', reason: /required value has not been provided/ },
  {
    component: 'attest-job',
    inputs: { 'control-plane': 'chainloop.example.com' },
    input: 'control-plane',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, 'contract-revision': '0' },
    input: 'contract-revision',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, 'job-prefix': 'My Jobs' },
    input: 'job-prefix',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, materials: 'binary=dist/app' },
    input: 'materials',
    reason: /is not a array/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'dry-run': 'yes' },
    input: 'dry-run',
    reason: /is not a boolean/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'signing-key-variable': 'env://CHAINLOOP_SIGNING_KEY' },
    input: 'signing-key-variable',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'cli-version': '^0.1' },
    input: 'cli-version',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'cli-path': 'tools/chainloop.cjs; curl evil' },
    input: 'cli-path',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'cli-source': 'registry' },
    input: 'cli-source',
    reason: /cannot be used because it is not in the list of allowed options/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, 'cli-source': 'curl' },
    input: 'cli-source',
    reason: /cannot be used because it is not in the list of allowed options/,
  },
  {
    component: 'attest-job',
    inputs: { ...valid, 'cli-sha256': 'A'.repeat(64) },
    input: 'cli-sha256',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, 'cli-sha256': `sha256:${'0'.repeat(64)}` },
    input: 'cli-sha256',
    reason: /does not match required regex/,
  },
  {
    component: 'attest-pipeline',
    inputs: { ...valid, 'cli-sha256': '0'.repeat(63) },
    input: 'cli-sha256',
    reason: /does not match required regex/,
  },
];

for (const { component, inputs, input, reason } of refused) {
  test(`${component}: a bad ${input} input (${JSON.stringify(inputs[input]) ?? 'missing'}) is refused, naming the input`, {
    timeout: 60_000,
  }, async () => {
    const run = await list([include(component, inputs)]);
    assert.notEqual(run.status, 0, run.output);
    assert.match(run.output, new RegExp(`\`${input}\` input: .*`));
    assert.match(run.output, reason);
  });
}

test('every cli-source, and a cli-sha256 of 64 lowercase hex digits, are accepted by both components', {
  timeout: 60_000,
}, async () => {
  const sha256 = 'c0ffee'.padEnd(64, '0');
  const run = await list(
    ['control-plane', 'npm', 'path'].flatMap((source) => [
      include('attest-pipeline', {
        ...valid,
        'job-prefix': `cl-${source}`,
        'cli-source': source,
        'cli-sha256': sha256,
      }),
      include('attest-job', { ...valid, 'job-name': `attest-${source}`, 'cli-source': source, 'cli-sha256': sha256 }),
    ]),
  );
  assert.equal(run.status, 0, run.output);
  for (const source of ['control-plane', 'npm', 'path']) {
    assert.match(run.output, new RegExp(`^cl-${source}-init\\s`, 'm'));
    assert.match(run.output, new RegExp(`^attest-${source}\\s`, 'm'));
  }
});

test('two includes of each component, with their own names, add all their jobs without collision', {
  timeout: 60_000,
}, async () => {
  const run = await list([
    include('attest-pipeline', { ...valid, 'job-prefix': 'app' }),
    include('attest-pipeline', { ...valid, 'job-prefix': 'docs' }),
    include('attest-job', { ...valid, 'job-name': 'attest-image' }),
    include('attest-job', { ...valid, 'job-name': 'attest-chart', stage: '.pre' }),
  ]);
  assert.equal(run.status, 0, run.output);
  const jobs = run.output
    .split('\n')
    .map((line) => line.split(/\s+/)[0])
    .filter((name) => /^(app|docs|attest)-/.test(name))
    .sort();
  assert.deepEqual(jobs, [
    'app-init',
    'app-push',
    'app-reset',
    'attest-chart',
    'attest-image',
    'docs-init',
    'docs-push',
    'docs-reset',
  ]);
});
