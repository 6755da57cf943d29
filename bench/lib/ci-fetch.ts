import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths';

/** The GitLab component's template, whose `chainloop_fetch` the job-overhead section runs as it is. */
export const gitlabPipelineTemplate = join(
  repoRoot,
  'packages',
  'gitlab-component',
  'templates',
  'attest-pipeline.yml',
);

/**
 * The Node program `chainloop_fetch` runs in a GitLab job (cli-source control-plane, the zero-install path): GET
 * `/v1/downloads/chainloop.cjs.sha256`, GET the CLI, check its SHA-256 against the announced (and pinned) one, write it
 * to CHAINLOOP_CLI_FILE. Taken from the template itself, so the bench times what jobs run, not a copy of it.
 */
export function gitlabFetchScript(template = gitlabPipelineTemplate): string {
  const scripts: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') scripts.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const document of parseAllDocuments(readFileSync(template, 'utf8'))) visit(document.toJS());
  for (const script of scripts) {
    // chainloop_fetch() {\n  node --input-type=module -e '\n<program>\n'\n}
    const match = /chainloop_fetch\(\) \{\n\s*node --input-type=module -e '\n([\s\S]*?)\n'\n\s*\}/.exec(script);
    if (match) return match[1];
  }
  throw new Error(
    `no chainloop_fetch() { node --input-type=module -e '…' } in ${template}: update bench/lib/ci-fetch.ts`,
  );
}
