import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);
import {
  addPath,
  bundledCliPath,
  controlPlaneUrl,
  exportVariable,
  readInputs,
  runChainloop,
  saveActionState,
  setFailed,
  setOutput
} from "./shared-ILHRGSTN.js";

// src/cli-on-path.ts
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
function installCliOnPath() {
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), "chainloop-ts-cli");
  mkdirSync(dir, { recursive: true });
  const node = process.execPath;
  const cli = bundledCliPath();
  const shell = join(dir, "chainloop");
  writeFileSync(shell, `#!/bin/sh
exec '${node.replaceAll("'", `'\\''`)}' '${cli.replaceAll("'", `'\\''`)}' "$@"
`);
  chmodSync(shell, 493);
  writeFileSync(join(dir, "chainloop.cmd"), `@"${node}" "${cli}" %*\r
`);
  addPath(dir);
  return dir;
}

// src/status-json.ts
function attestationIdOf(status) {
  return status.attestationID || status.workflowMeta.workflowRunID || "";
}

// src/main.ts
async function run() {
  const inputs = readInputs();
  const controlPlane = controlPlaneUrl(inputs);
  const settings = { controlPlane, token: inputs.token };
  exportVariable("CHAINLOOP_CONTROL_PLANE_API", controlPlane);
  installCliOnPath();
  const initArgs = ["attestation", "init", "--output", "json"];
  if (inputs.contractRevision) initArgs.push("--contract-revision", inputs.contractRevision);
  if (inputs.dryRun) initArgs.push("--dry-run");
  if (inputs.remoteState) initArgs.push("--remote-state");
  const status = JSON.parse(await runChainloop(initArgs, settings));
  const remoteId = status.attestationID || void 0;
  saveActionState({ initialized: true, attestationId: remoteId });
  setOutput("attestation-id", attestationIdOf(status));
  if (remoteId) exportVariable("CHAINLOOP_ATTESTATION_ID", remoteId);
  const idArgs = remoteId ? ["--attestation-id", remoteId] : [];
  if (inputs.materials)
    await runChainloop(["attestation", "add", "--materials", inputs.materials, ...idArgs], settings);
  await runChainloop(["attestation", "status", ...idArgs], settings, { echoStdout: true });
}
run().catch((error) => setFailed(error instanceof Error ? error.message : String(error)));
