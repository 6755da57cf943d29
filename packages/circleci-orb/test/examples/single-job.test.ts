import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyAttestation } from '@chainloop-ts/core/attestation';
import { type AttestationBackend, startAttestationBackend } from '../harness/attestation-backend';
import { cliOrigin, exampleUsage, stepStatuses } from '../harness/example';
import { filesHoldingSecrets } from '../harness/secret-scan';
import { describeFailures, workflowTranscript } from '../harness/transcript';

let backend: AttestationBackend;
before(async () => {
  backend = await startAttestationBackend();
});
after(async () => {
  await backend?.stop();
});

test('single-job example: a green job ends in a succeeded run whose verified attestation carries the CircleCI context', {
  timeout: 120_000,
}, async () => {
  const { result, pipeline } = await backend.run(exampleUsage(backend.orb, 'single-job'));
  assert.equal(result.jobs.length, 1);
  const [job] = result.jobs;
  assert.equal(job.status, 'success', describeFailures(result));
  // As pasted: chainloop/install took the CLI from the control plane the job attests to.
  assert.equal(cliOrigin(job), `downloaded from the control plane, sha256 ${backend.cliSha256}`);
  assert.deepEqual(stepStatuses(job.steps), [
    ['Chainloop attestation init', 'success'],
    ['Chainloop attestation add', 'success'],
    ['Chainloop attestation push (job succeeded)', 'success'],
    ['Chainloop attestation reset (job failed)', 'skipped'],
  ]);

  const run = await backend.runOf(job);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.runnerType, 'CIRCLECI_BUILD');

  const stored = await backend.controlPlane.admin().getAttestation(run.id);
  const { statement } = await verifyAttestation(stored.bundle, { publicKeyPem: backend.publicKeyPem });
  const predicate = statement.predicate as {
    runnerType: string;
    runnerURL: string;
    env: Record<string, string>;
    materials: { name?: string; digest: { sha256: string }; content?: string; annotations: Record<string, unknown> }[];
  };
  assert.equal(predicate.runnerType, 'CIRCLECI_BUILD');
  assert.equal(predicate.runnerURL, job.buildUrl);
  assert.match(job.buildUrl, /^https:\/\/circleci\.com\/gh\/cyberdyne\/skynet\/\d+$/);
  assert.equal(predicate.env.CIRCLE_JOB, 'build');
  assert.equal(predicate.env.CIRCLE_BRANCH, 'main');
  assert.equal(predicate.env.CIRCLE_NODE_INDEX, '0');
  assert.equal(predicate.env.CIRCLE_NODE_TOTAL, '1');
  assert.equal(predicate.env.CIRCLE_PROJECT_REPONAME, 'skynet');

  const byName = new Map(predicate.materials.map((m) => [m.annotations['chainloop.material.name'], m]));
  // init adds the runner context in any CI (issue 21), besides the materials of the add lines.
  assert.deepEqual([...byName.keys()].sort(), ['app', 'commit', 'junit', 'runner-context']);
  assert.equal(byName.get('runner-context')?.annotations['chainloop.material.type'], 'CHAINLOOP_RUNNER_CONTEXT');
  assert.equal(Buffer.from(byName.get('commit')?.content ?? '', 'base64').toString(), pipeline.sha);
  const project = join(job.dir, 'home', 'project');
  for (const [name, file] of [
    ['app', 'dist/app.tar.gz'],
    ['junit', 'reports/junit.xml'],
  ]) {
    const expected = createHash('sha256')
      .update(readFileSync(join(project, file)))
      .digest('hex');
    assert.equal(byName.get(name)?.digest.sha256, expected, `${name} digest`);
  }
  const head = statement.subject.find((subject) => subject.name === 'git.head');
  assert.equal(head?.digest.sha1, pipeline.sha, 'the checkout commit is the git.head subject');
  assert.match(JSON.stringify(head?.annotations), /git@github\.com:cyberdyne\/skynet\.git/, 'origin as checked out');

  const transcript = workflowTranscript(result);
  for (const secret of backend.secrets) assert.ok(!transcript.includes(secret), 'a secret reached the job log');
  for (const job of result.jobs) assert.deepEqual(filesHoldingSecrets(job.dir, backend.secrets), []);
});
