// The runner protocol the action speaks: inputs from INPUT_*, state from STATE_*, `::…::` stdout commands and the
// GITHUB_* command files. Only @actions/core's command and file-command modules are used (escaping, random
// delimiters): its entry point also pulls @actions/http-client for OIDC, ~800 kB per bundle we never call.
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { delimiter } from 'node:path';
import { issueCommand } from '@actions/core/lib/command';
import { issueFileCommand, prepareKeyValueMessage } from '@actions/core/lib/file-command';

/** An input as the runner passes it (`INPUT_<NAME>`, spaces as `_`); trimmed unless asked otherwise. */
export function getInput(name: string, options: { trimWhitespace?: boolean } = {}): string {
  const value = process.env[`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`] ?? '';
  return options.trimWhitespace === false ? value : value.trim();
}

/** `::add-mask::`: the runner replaces the value with *** in every later log line of the job. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function setOutput(name: string, value: string): void {
  issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
}

/** Handed to the post step, which reads it back as STATE_<name>. */
export function saveState(name: string, value: string): void {
  issueFileCommand('STATE', prepareKeyValueMessage(name, value));
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

/** A variable for this process and every later step of the job. */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  issueFileCommand('ENV', prepareKeyValueMessage(name, value));
}

/** A directory prepended to PATH for this process and every later step of the job. */
export function addPath(dir: string): void {
  issueFileCommand('PATH', dir);
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`;
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

/** `::warning::`: a warning annotation on the run; the step still succeeds. */
export function warning(message: string): void {
  issueCommand('warning', {}, message);
}

/** `::error::` (an annotation on the run) and a failed step. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, message);
}

/** Markdown shown on the run's summary page; nothing outside a runner (no GITHUB_STEP_SUMMARY). */
export function appendStepSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown, 'utf8');
}
