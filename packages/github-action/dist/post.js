import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);
import {
  ChainloopError,
  SIGNING_KEY_VARIABLE,
  UsageError,
  appendStepSummary,
  controlPlaneUrl,
  info,
  loadActionState,
  readInputs,
  runChainloop,
  setFailed,
  setOutput
} from "./shared-ILHRGSTN.js";

// src/summary.ts
function cell(text) {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll(/\r?\n/g, " ");
}
function code(text) {
  return text ? `\`${cell(text).replaceAll("`", "'")}\`` : "";
}
function renderPushSummary(status, digest) {
  const meta = status.workflowMeta;
  const rows = [
    ["Workflow", `${cell(meta.name)} (project ${cell(meta.project)}, team ${cell(meta.team)})`],
    ["Contract revision", cell(meta.contractRevision)]
  ];
  const id = status.attestationID || meta.workflowRunID;
  if (id) rows.push(["Attestation ID", code(id)]);
  if (digest) rows.push(["Digest", code(digest)]);
  if (status.runnerContext.jobURL) {
    rows.push([
      "Runner",
      `${cell(status.runnerContext.runnerType)} [${cell(status.runnerContext.jobURL)}](${status.runnerContext.jobURL})`
    ]);
  }
  if (status.dryRun) rows.push(["Dry run", "yes: nothing was stored in the control plane"]);
  const lines = [
    `### Chainloop attestation ${status.dryRun ? "crafted (dry run)" : "pushed"}`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    ""
  ];
  const materials = status.materials.filter((m) => m.set);
  if (materials.length > 0) {
    lines.push("| Material | Kind | Value |", "|---|---|---|");
    for (const m of materials) lines.push(`| ${cell(m.name)} | ${cell(m.type)} | ${code(m.value)} |`);
    lines.push("");
  }
  return `${lines.join("\n")}
`;
}

// src/post.ts
function finishArgs(attestationId, jobStatus) {
  const idArgs = attestationId ? ["--attestation-id", attestationId] : [];
  return ["attestation", "finish", "--ci", "github", "--status", jobStatus, "--output", "json", ...idArgs];
}
function resetReason(jobStatus) {
  const job = process.env.GITHUB_JOB ? `job "${process.env.GITHUB_JOB}"` : "the job";
  return `GitHub Actions: ${job} ${jobStatus}`;
}
function readStatus(settings, idArgs) {
  return runChainloop(["attestation", "status", "--output", "json", ...idArgs], settings, { echoStderr: false }).then(
    (stdout) => JSON.parse(stdout),
    () => void 0
  );
}
async function resetFailed(attestationId, settings, reason) {
  await runChainloop([...finishArgs(attestationId, "failure"), "--reason", reason], settings).catch(() => void 0);
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
async function push(inputs, settings, attestationId) {
  const idArgs = attestationId ? ["--attestation-id", attestationId] : [];
  let status = await readStatus(settings, idArgs);
  if (status && inputs.reports.length > 0) {
    const globArgs = inputs.reports.flatMap((pattern) => ["--from-glob", pattern]);
    try {
      await runChainloop(["attestation", "add", ...globArgs, ...idArgs], settings);
    } catch (error) {
      await resetFailed(attestationId, settings, `GitHub Actions: input "reports" not added: ${messageOf(error)}`);
      if (!(error instanceof ChainloopError)) throw error;
      throw new ChainloopError(error.code, `input "reports": ${error.message}`, { cause: error });
    }
    status = await readStatus(settings, idArgs);
  }
  const keyArgs = inputs.signingKey ? ["--key", `env://${SIGNING_KEY_VARIABLE}`] : [];
  let finish;
  try {
    finish = JSON.parse(await runChainloop([...finishArgs(attestationId, "success"), ...keyArgs], settings));
  } catch (error) {
    await resetFailed(attestationId, settings, `GitHub Actions: push failed: ${messageOf(error)}`);
    if (inputs.signingKey || !(error instanceof Error)) throw error;
    throw new ChainloopError(
      "SIGNING_KEY_MISSING",
      `${error.message} (the action's signing-key input is empty: fill it from the secret holding cosign.key)`
    );
  }
  if (!finish.finished) return;
  if (finish.digest) {
    setOutput("digest", finish.digest);
    info(`Attestation pushed: ${finish.digest}`);
  }
  if (status) appendStepSummary(renderPushSummary(status, finish.digest));
}
async function run() {
  const state = loadActionState();
  if (!state.initialized) {
    info("The main step did not start an attestation: nothing to finish");
    return;
  }
  const inputs = readInputs();
  const jobStatus = inputs.jobStatus;
  if (!jobStatus) {
    throw new UsageError(
      "INPUT_JOB_STATUS_MISSING",
      'input "job-status" is empty: leave its default (the job.status expression) or pass success, failure or cancelled'
    );
  }
  const settings = {
    controlPlane: controlPlaneUrl(inputs),
    token: inputs.token,
    signingKey: inputs.signingKey,
    signingKeyPassword: inputs.signingKeyPassword
  };
  if (jobStatus === "success") return push(inputs, settings, state.attestationId);
  await runChainloop([...finishArgs(state.attestationId, jobStatus), "--reason", resetReason(jobStatus)], settings);
}
run().catch((error) => setFailed(error instanceof Error ? error.message : String(error)));
