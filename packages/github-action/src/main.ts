// Main step: start the attestation (init) and add the materials given; the post step finishes it.

import { saveActionState } from './action-state';
import { type CliSettings, runChainloop } from './chainloop-cli';
import { installCliOnPath } from './cli-on-path';
import { controlPlaneUrl, readInputs } from './inputs';
import { type AttestationStatusJson, attestationIdOf } from './status-json';
import * as workflow from './workflow-commands';

async function run(): Promise<void> {
  const inputs = readInputs();
  const controlPlane = controlPlaneUrl(inputs);
  const settings: CliSettings = { controlPlane, token: inputs.token };
  // Later `run:` steps reach the same control plane with the same CLI (the token stays with the user's own env).
  workflow.exportVariable('CHAINLOOP_CONTROL_PLANE_API', controlPlane);
  installCliOnPath();

  const initArgs = ['attestation', 'init', '--output', 'json'];
  if (inputs.contractRevision) initArgs.push('--contract-revision', inputs.contractRevision);
  if (inputs.dryRun) initArgs.push('--dry-run');
  if (inputs.remoteState) initArgs.push('--remote-state');
  const status = JSON.parse(await runChainloop(initArgs, settings)) as AttestationStatusJson;

  const remoteId = status.attestationID || undefined;
  saveActionState({ initialized: true, attestationId: remoteId });
  workflow.setOutput('attestation-id', attestationIdOf(status));
  if (remoteId) workflow.exportVariable('CHAINLOOP_ATTESTATION_ID', remoteId);
  const idArgs = remoteId ? ['--attestation-id', remoteId] : [];

  if (inputs.materials)
    await runChainloop(['attestation', 'add', '--materials', inputs.materials, ...idArgs], settings);
  await runChainloop(['attestation', 'status', ...idArgs], settings, { echoStdout: true });
}

run().catch((error: unknown) => workflow.setFailed(error instanceof Error ? error.message : String(error)));
