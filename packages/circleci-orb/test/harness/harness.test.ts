// The harness stands in for CircleCI, so its own rules are tested here with a small orb made for the purpose.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import type { ConfigDefinition, OrbDefinition } from './config-model';
import { ConfigError } from './parameters';
import { createRepository } from './repository';
import { runWorkflow } from './run-workflow';
import { filesHoldingSecrets } from './secret-scan';

const dir = mkdtempSync(join(tmpdir(), 'orb-harness-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pipeline = createRepository(join(dir, 'repository'));
let runs = 0;

const orb = parse(`
version: 2.1
executors:
  default:
    docker: [{ image: cimg/base:current }]
    environment: { FROM_EXECUTOR: executor }
commands:
  greet:
    parameters:
      to: { type: string, default: World }
      loud: { type: boolean, default: false }
      holder: { type: env_var_name, default: GREETING_TOKEN }
      mood: { type: enum, enum: [calm, angry], default: calm }
    steps:
      - run:
          name: greet
          environment:
            PARAM_TO: << parameters.to >>
            PARAM_LOUD: << parameters.loud >>
            PARAM_HOLDER: << parameters.holder >>
          command: echo "hello $PARAM_TO loud=$PARAM_LOUD mood=<< parameters.mood >> holder-set=\${!PARAM_HOLDER:+yes}"
      - when:
          condition:
            and: [<< parameters.loud >>, { equal: [angry, << parameters.mood >>] }]
          steps:
            - run: { name: shout, command: echo SHOUT }
  needs:
    parameters:
      what: { type: string }
    steps:
      - run: echo << parameters.what >>
  hooks:
    steps:
      - run: { name: on-success, command: echo ok }
      - run: { name: on-fail, when: on_fail, command: echo reset }
      - run: { name: always, when: always, command: echo always }
jobs:
  job-with-steps:
    executor: default
    parameters:
      steps: { type: steps, default: [] }
    steps:
      - run: { name: before, command: echo before }
      - steps: << parameters.steps >>
      - hooks
`) as OrbDefinition;

function config(jobs: Record<string, unknown>, workflowJobs: unknown[]): ConfigDefinition {
  return {
    version: 2.1,
    orbs: { t: 'test/orb@1.0.0' },
    jobs: jobs as ConfigDefinition['jobs'],
    workflows: { main: { jobs: workflowJobs as never } },
  };
}

async function run(configuration: ConfigDefinition, variables: Record<string, string> = {}) {
  runs += 1;
  return runWorkflow(configuration, {
    orbs: { 'test/orb': orb },
    pipeline,
    dir: join(dir, `run-${runs}`),
    path: `${dirname(process.execPath)}:/usr/bin:/bin`,
    projectVariables: variables,
  });
}

const job = (steps: unknown[]) => ({ build: { executor: 't/default', steps } });

test('parameters: defaults, given values, booleans as 1/0 in environment, values typed in text', {
  timeout: 120_000,
}, async () => {
  const result = await run(
    config(job(['t/greet', { 't/greet': { to: 'Skynet', loud: true, mood: 'angry' } }]), ['build']),
    { GREETING_TOKEN: 'x' },
  );
  const outputs = result.jobs[0].steps.map((step) => step.stdout.trim());
  assert.deepEqual(outputs, [
    'hello World loud=0 mood=calm holder-set=yes',
    'hello Skynet loud=1 mood=angry holder-set=yes',
    'SHOUT',
  ]);
});

test('parameters: unknown, missing and ill-typed arguments are compile errors', { timeout: 120_000 }, async () => {
  await assert.rejects(run(config(job([{ 't/greet': { too: 'x' } }]), ['build'])), /unexpected argument\(s\): too/);
  await assert.rejects(run(config(job([{ 't/greet': { mood: 'sad' } }]), ['build'])), /mood.*one of calm, angry/);
  await assert.rejects(run(config(job([{ 't/greet': { holder: 'not a name' } }]), ['build'])), ConfigError);
  await assert.rejects(run(config(job([{ 't/greet': { loud: 'yes' } }]), ['build'])), /a boolean/);
  await assert.rejects(run(config(job(['t/needs']), ['build'])), /missing required argument "what"/);
  await assert.rejects(run(config(job(['t/nope']), ['build'])), /orb test\/orb@1.0.0 has no command "nope"/);
});

test('when: on_success steps stop at the first failure, on_fail and always still run', {
  timeout: 120_000,
}, async () => {
  const green = await run(config(job(['t/hooks']), ['build']));
  assert.deepEqual(
    green.jobs[0].steps.map((step) => [step.name, step.status]),
    [
      ['on-success', 'success'],
      ['on-fail', 'skipped'],
      ['always', 'success'],
    ],
  );
  const red = await run(config(job([{ run: { name: 'break', command: 'exit 3' } }, 't/hooks']), ['build']));
  assert.equal(red.jobs[0].status, 'failed');
  assert.deepEqual(
    red.jobs[0].steps.map((step) => [step.name, step.status, step.stdout.trim()]),
    [
      ['break', 'failed', ''],
      ['on-success', 'skipped', ''],
      ['on-fail', 'success', 'reset'],
      ['always', 'success', 'always'],
    ],
  );
});

test('each run step is its own bash -eo pipefail; $BASH_ENV carries exports to later steps, the environment layers', {
  timeout: 120_000,
}, async () => {
  const result = await run(
    config(
      {
        build: {
          executor: 't/default',
          environment: { FROM_JOB: 'job' },
          steps: [
            { run: { name: 'pipefail', command: 'false | true\necho not reached' } },
            { run: { name: 'export', when: 'always', command: 'echo "export CARRIED=yes" >> "$BASH_ENV"; LOCAL=1' } },
            {
              run: {
                name: 'read',
                when: 'always',
                environment: { FROM_STEP: 'step' },
                command:
                  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
                  'echo "$CARRIED ${LOCAL:-unset} $FROM_EXECUTOR $FROM_JOB $FROM_STEP $CI $CIRCLECI $CIRCLE_JOB"',
              },
            },
          ],
        },
      },
      ['build'],
    ),
  );
  const [pipefail, , read] = result.jobs[0].steps;
  assert.equal(pipefail.status, 'failed');
  assert.equal(pipefail.stdout, '');
  assert.equal(read.stdout.trim(), 'yes unset executor job step true true build');
});

test('steps parameters expand in place; jobs run in requires order, each in its own container with a shared workspace', {
  timeout: 120_000,
}, async () => {
  const result = await run(
    config(
      {
        produce: {
          executor: 't/default',
          steps: [
            'checkout',
            { run: 'mkdir -p out && git rev-parse HEAD > out/sha && echo "export X=1" >> "$BASH_ENV"' },
            { persist_to_workspace: { root: '.', paths: ['out'] } },
          ],
        },
        consume: {
          executor: 't/default',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
          steps: [{ attach_workspace: { at: '~/ws' } }, { run: 'cat ~/ws/out/sha; echo "X=${X:-unset}"' }],
        },
      },
      [
        { consume: { requires: ['t/job-with-steps'] } },
        { 't/job-with-steps': { requires: ['produce'], steps: [{ run: { name: 'mine', command: 'echo mine' } }] } },
        'produce',
      ],
    ),
  );
  assert.deepEqual(
    result.jobs.map((j) => j.name),
    ['produce', 't/job-with-steps', 'consume'],
  );
  assert.deepEqual(
    result.jobs[1].steps.map((step) => step.name),
    ['before', 'mine', 'on-success', 'on-fail', 'always'],
  );
  assert.equal(result.jobs[2].steps[1].stdout, `${pipeline.sha}\nX=unset\n`);
});

test('the secret scan finds a secret left in any file of a job folder', { timeout: 120_000 }, () => {
  const jobDir = join(dir, 'scan');
  mkdirSync(join(jobDir, 'home', 'tmp'), { recursive: true });
  writeFileSync(join(jobDir, 'home', 'clean.txt'), 'nothing here');
  writeFileSync(join(jobDir, 'home', 'tmp', 'state.json'), '{"token":"cl_robot_s3cret"}');
  assert.deepEqual(filesHoldingSecrets(jobDir, ['cl_robot_s3cret']), [join(jobDir, 'home', 'tmp', 'state.json')]);
});
