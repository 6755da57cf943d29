import type { AttestationStatusJson } from './status-json';

/** Table cells hold user values (image references, paths): keep them from breaking the markdown table. */
function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text ? `\`${cell(text).replaceAll('`', "'")}\`` : '';
}

/** The markdown appended to $GITHUB_STEP_SUMMARY when the attestation is pushed (no digest in a dry run). */
export function renderPushSummary(status: AttestationStatusJson, digest: string): string {
  const meta = status.workflowMeta;
  const rows: Array<[string, string]> = [
    ['Workflow', `${cell(meta.name)} (project ${cell(meta.project)}, team ${cell(meta.team)})`],
    ['Contract revision', cell(meta.contractRevision)],
  ];
  const id = status.attestationID || meta.workflowRunID;
  if (id) rows.push(['Attestation ID', code(id)]);
  if (digest) rows.push(['Digest', code(digest)]);
  if (status.runnerContext.jobURL) {
    rows.push([
      'Runner',
      `${cell(status.runnerContext.runnerType)} [${cell(status.runnerContext.jobURL)}](${status.runnerContext.jobURL})`,
    ]);
  }
  if (status.dryRun) rows.push(['Dry run', 'yes: nothing was stored in the control plane']);

  const lines = [
    `### Chainloop attestation ${status.dryRun ? 'crafted (dry run)' : 'pushed'}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
  ];
  const materials = status.materials.filter((m) => m.set);
  if (materials.length > 0) {
    // The CLI's value already carries the digest of file and image kinds (`app@sha256:…`), as status --full shows.
    lines.push('| Material | Kind | Value |', '|---|---|---|');
    for (const m of materials) lines.push(`| ${cell(m.name)} | ${cell(m.type)} | ${code(m.value)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
