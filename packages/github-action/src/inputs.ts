import { UsageError } from '@chainloop-ts/core';
import * as workflow from './workflow-commands';

/** The action's inputs (action.yml), read from the INPUT_* variables the runner sets for both main and post. */
export interface ActionInputs {
  controlPlane?: string;
  token?: string;
  contractRevision?: string;
  dryRun: boolean;
  remoteState: boolean;
  materials?: string;
  /** Globs of report files the job wrote (the `reports` input, split): each match is added, its kind detected. */
  reports: string[];
  signingKey?: string;
  signingKeyPassword?: string;
  jobStatus?: string;
}

function optionalInput(name: string, options: { trimWhitespace?: boolean } = {}): string | undefined {
  return workflow.getInput(name, options) || undefined;
}

/** YAML-style booleans, with a one-line error instead of @actions/core's multi-line one. */
export function booleanInput(name: string): boolean {
  const value = workflow.getInput(name);
  if (value === '' || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  throw new UsageError('INPUT_NOT_BOOLEAN', `input "${name}": "${value}" is not a boolean; use true or false`);
}

/** Reads the inputs; the secret ones are masked before anything else can fail and print. */
export function readInputs(): ActionInputs {
  const token = optionalInput('token');
  const signingKey = optionalInput('signing-key');
  // A password's surrounding spaces may be part of it.
  const signingKeyPassword = optionalInput('signing-key-password', { trimWhitespace: false });
  maskSecrets([token, signingKey, signingKeyPassword]);
  const contractRevision = optionalInput('contract-revision');
  if (contractRevision !== undefined && !/^[1-9]\d*$/.test(contractRevision)) {
    throw new UsageError(
      'INPUT_CONTRACT_REVISION_INVALID',
      `input "contract-revision": "${contractRevision}" is not a revision number; use 1, 2, … or leave it empty for the latest`,
    );
  }
  if (signingKey !== undefined && !signingKey.startsWith('-----BEGIN ')) {
    // Say nothing about the value itself: it came from a secret.
    throw new UsageError(
      'INPUT_SIGNING_KEY_NOT_PEM',
      'input "signing-key": not a PEM private key; fill it from a secret holding the text of cosign.key',
    );
  }
  return {
    controlPlane: optionalInput('control-plane'),
    token,
    contractRevision,
    dryRun: booleanInput('dry-run'),
    remoteState: booleanInput('remote-state'),
    materials: optionalInput('materials'),
    reports: parseReportPatterns(workflow.getInput('reports')),
    signingKey,
    signingKeyPassword,
    jobStatus: optionalInput('job-status'),
  };
}

/**
 * The `reports` input: globs one per line or separated by commas (`#` starts a comment line). A comma inside braces
 * belongs to the glob (`sbom/*.{json,xml}` is one pattern), so only the commas outside them separate.
 */
export function parseReportPatterns(text: string): string[] {
  const patterns: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue;
    let depth = 0;
    let current = '';
    for (const char of line) {
      if (char === '{') depth++;
      else if (char === '}' && depth > 0) depth--;
      if (char === ',' && depth === 0) {
        patterns.push(current);
        current = '';
      } else current += char;
    }
    patterns.push(current);
  }
  return patterns.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
}

/**
 * Registers secrets with the runner's log masker. A multi-line value (a PEM key) is also masked line by line, since
 * a log line never holds the whole value; very short lines are left alone so `==` does not blank the whole log.
 */
export function maskSecrets(secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (!secret) continue;
    workflow.setSecret(secret);
    const lines = secret.split(/\r?\n/).map((line) => line.trim());
    if (lines.length < 2) continue;
    for (const line of lines) if (line.length >= 8 && !line.startsWith('-----')) workflow.setSecret(line);
  }
}

/** The control plane URL: the input, else CHAINLOOP_CONTROL_PLANE_API from the job's environment. */
export function controlPlaneUrl(inputs: ActionInputs): string {
  const url = inputs.controlPlane ?? (process.env.CHAINLOOP_CONTROL_PLANE_API || undefined);
  if (!url) {
    throw new UsageError(
      'INPUT_CONTROL_PLANE_MISSING',
      'input "control-plane" is empty and CHAINLOOP_CONTROL_PLANE_API is not set: give the URL of your Chainloop control plane',
    );
  }
  return url;
}
