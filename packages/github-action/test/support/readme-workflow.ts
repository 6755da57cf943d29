/** The README's release job, read from the README itself so the tests run the workflow users copy. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { actionDir } from './github-runner';

interface WorkflowStep {
  name?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
}

interface ReadmeJob {
  env: Record<string, string>;
  /** The `with:` block of the action's step. */
  actionInputs: Record<string, string>;
}

/** Evaluates the few `${{ … }}` expressions the README uses, from the values the test provides. */
function evaluate(value: string, values: Record<string, string>): string {
  return value.replaceAll(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    const found = values[name];
    if (found === undefined) throw new Error(`README expression \${{ ${name} }} has no test value`);
    return found;
  });
}

/** The first yaml block of the README: the copy-paste workflow. */
export function readmeWorkflowYaml(): string {
  const readme = readFileSync(join(actionDir, 'README.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no yaml block');
  return block[1];
}

/** Every yaml block of the README: each is a whole workflow a user may copy. */
export function readmeYamlBlocks(): string[] {
  const readme = readFileSync(join(actionDir, 'README.md'), 'utf8');
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
}

export function readmeReleaseJob(values: Record<string, string>): ReadmeJob {
  const workflow = parseYaml(readmeWorkflowYaml()) as {
    jobs: Record<string, { env?: Record<string, string>; steps: WorkflowStep[] }>;
  };
  const job = Object.values(workflow.jobs)[0];
  const step = job.steps.find((s) => s.uses?.includes('/packages/github-action@'));
  if (!step) throw new Error("README's job has no step using packages/github-action");
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env ?? {})) env[name] = evaluate(String(value), values);
  const actionInputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.with ?? {})) actionInputs[name] = evaluate(String(value), values);
  return { env, actionInputs };
}
