import assert from 'node:assert/strict';
import type { ConfigDefinition, OrbDefinition } from './config-model';

/** A copy of an example's `usage` from the packed orb, safe to change in a test. */
export function exampleUsage(orb: OrbDefinition, name: string): ConfigDefinition {
  const usage = orb.examples?.[name]?.usage;
  assert.ok(usage, `example ${name} missing from the packed orb`);
  return structuredClone(usage);
}

/** Steps of a job result as [name, status] pairs, for the ones whose name starts with the prefix. */
export function stepStatuses(
  steps: { name: string; status: string }[],
  prefix = 'Chainloop attestation',
): [string, string][] {
  return steps.filter((step) => step.name.startsWith(prefix)).map((step) => [step.name, step.status]);
}

/** Where chainloop/install took the CLI from in a job, as its step says ("downloaded from the control plane, …"). */
export function cliOrigin(job: { steps: { name: string; stdout: string }[] }): string | undefined {
  const install = job.steps.find((step) => step.name === 'Install the chainloop CLI');
  return /^chainloop \S+ installed in \S+ \((.*)\)$/m.exec(install?.stdout ?? '')?.[1];
}
