import type { WorkflowResult } from './run-workflow';

/** Everything a CircleCI job log (and the config a user reads) would show: step commands, environment, output. */
export function workflowTranscript(result: WorkflowResult): string {
  return result.jobs
    .flatMap((job) =>
      job.steps.map((step) =>
        [
          `== ${job.name} / ${step.name} (${step.status})`,
          step.command ?? '',
          JSON.stringify(step.environment ?? {}),
          step.stdout,
          step.stderr,
        ].join('\n'),
      ),
    )
    .join('\n');
}

/** A compact view of a failed workflow for assertion messages. */
export function describeFailures(result: WorkflowResult): string {
  return result.jobs
    .flatMap((job) =>
      job.steps
        .filter((step) => step.status === 'failed')
        .map((step) => `${job.name} / ${step.name}: exit ${step.exitCode}\n${step.stdout}\n${step.stderr}`),
    )
    .join('\n---\n');
}
