import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttestationStatusJson } from '../src/status-json';
import { renderPushSummary } from '../src/summary';

const status: AttestationStatusJson = {
  attestationID: '',
  dryRun: false,
  workflowMeta: {
    workflowID: 'wf-1',
    name: 'release',
    team: 'cyberdyne core',
    project: 'skynet',
    contractRevision: '2',
    workflowRunID: '7ff13149-3509-4a7a-977f-b11cb60287f9',
  },
  materials: [
    { name: 'binary', type: 'ARTIFACT', set: true, required: true, value: 'app@sha256:5fe1', hash: 'sha256:5fe1' },
    { name: 'notes', type: 'STRING', set: true, required: false, value: 'a | b\nc', hash: 'sha256:aa' },
    { name: 'sbom', type: 'SBOM_CYCLONEDX_JSON', set: false, required: false, value: '', hash: '' },
  ],
  runnerContext: { runnerType: 'GITHUB_ACTION', jobURL: 'https://github.com/o/r/actions/runs/1' },
};

test('the push summary: workflow, run, digest, runner link and the materials set', () => {
  assert.equal(
    renderPushSummary(status, 'sha256:abc'),
    [
      '### Chainloop attestation pushed',
      '',
      '| | |',
      '|---|---|',
      '| Workflow | release (project skynet, team cyberdyne core) |',
      '| Contract revision | 2 |',
      '| Attestation ID | `7ff13149-3509-4a7a-977f-b11cb60287f9` |',
      '| Digest | `sha256:abc` |',
      '| Runner | GITHUB_ACTION [https://github.com/o/r/actions/runs/1](https://github.com/o/r/actions/runs/1) |',
      '',
      '| Material | Kind | Value |',
      '|---|---|---|',
      '| binary | ARTIFACT | `app@sha256:5fe1` |',
      '| notes | STRING | `a \\| b c` |',
      '',
      '',
    ].join('\n'),
  );
});

test('a dry run says nothing was stored, and has no digest', () => {
  const summary = renderPushSummary(
    { ...status, dryRun: true, workflowMeta: { ...status.workflowMeta, workflowRunID: '' } },
    '',
  );
  assert.doesNotMatch(summary, /Digest|Attestation ID/);
  assert.match(summary, /^### Chainloop attestation crafted \(dry run\)$/m);
  assert.match(summary, /\| Dry run \| yes: nothing was stored in the control plane \|/);
});
