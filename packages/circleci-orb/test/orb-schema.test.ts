import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileJob } from './harness/compile';
import { ORB_NAME, packOrbTo } from './harness/orb-files';
import { configScope } from './harness/run-workflow';
import { formatErrors, validateCircleCiConfig } from './harness/schema';

const dir = mkdtempSync(join(tmpdir(), 'orb-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { orb } = packOrbTo(join(dir, 'orb.yml'));

test('the packed orb validates against the CircleCI config schema', { timeout: 60_000 }, () => {
  const { valid, errors } = validateCircleCiConfig(orb);
  assert.ok(valid, formatErrors(errors));
});

test("every example's usage validates against the CircleCI config schema", { timeout: 60_000 }, () => {
  const examples = Object.entries(orb.examples ?? {});
  assert.ok(examples.length >= 2);
  for (const [name, example] of examples) {
    assert.ok(example.description, `example ${name} has a description`);
    const { valid, errors } = validateCircleCiConfig(example.usage);
    assert.ok(valid, `example ${name}:\n${formatErrors(errors)}`);
  }
});

test('the schema rejects what CircleCI rejects: a when: on_cancel hook does not exist', { timeout: 60_000 }, () => {
  const broken = structuredClone(orb);
  const steps = broken.commands?.finish.steps as { run: { when: string } }[];
  steps[1].run.when = 'on_cancel';
  const { valid, errors } = validateCircleCiConfig(broken);
  assert.equal(valid, false);
  assert.ok(
    errors.some((error) => error.instancePath === '/commands/finish/steps/1/run/when'),
    formatErrors(errors),
  );
});

test("every example's jobs compile against the orb: known elements, known and well-typed arguments", {
  timeout: 60_000,
}, () => {
  for (const [name, example] of Object.entries(orb.examples ?? {})) {
    const root = configScope(example.usage, { [ORB_NAME]: orb });
    for (const [workflowName, workflow] of Object.entries(example.usage.workflows ?? {})) {
      for (const item of workflow.jobs) {
        const [jobName, args] = typeof item === 'string' ? [item, {}] : Object.entries(item)[0];
        const job = compileJob(jobName, args ?? {}, { root, pipeline: {} });
        assert.ok(job.steps.length > 0, `${name} / ${workflowName} / ${jobName}`);
      }
    }
  }
});
