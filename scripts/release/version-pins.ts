/**
 * Every place a user copies our version from (README snippets, template and orb defaults, the Jenkins library's
 * help) is a pin. They all come from the one version set: `sync-version-pins.ts` rewrites them when lerna bumps
 * the version, and test/version-pins.test.ts fails when one drifts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './version-set';

/** Files users read or paste from, and the version the CLI and control plane report (and match each other by). */
export const PINNED_FILES = [
  'packages/core/src/version.ts',
  'README.md',
  'docs/*.md',
  'packages/*/README.md',
  'packages/gitlab-component/templates/*',
  'packages/gitlab-component/.gitlab-ci.yml',
  'packages/circleci-orb/src/**',
  'packages/jenkins-step/vars/*',
  'packages/github-action/action.yml',
];

const SEMVER = /(?<![\w.])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)(?![\w.]*\d)/g;

/** Versions in those files that are not ours: other tools' versions and example values, each in its context. */
const FOREIGN = [
  /gitlab-ci-local@4\.73\.0/,
  /^4\.73\.0 \(shell executor/,
  /Node \d+\.\d+\.\d+/,
  // process.version in a CHAINLOOP_PHASE_TIMINGS line (docs/performance.md).
  /"node":"v\d+\.\d+\.\d+"/,
  /OpenSSL \d+\.\d+\.\d+/,
  /skynet-control-plane:v\d+\.\d+\.\d+/,
  /refs\/tags\/v\d+\.\d+\.\d+/,
  /semver tag \(`\d+\.\d+\.\d+`\)/,
  /\d+\.\d+\.\d+\.\d+/,
];

export interface VersionPin {
  file: string;
  line: number;
  text: string;
  version: string;
}

export function pinnedFiles(root = repoRoot): string[] {
  // Glob pathspecs: `*` stays within one folder, so a test fixture's README (another tool's version) is not a pin.
  const pathspecs = PINNED_FILES.map((pattern) => `:(glob)${pattern}`);
  return execFileSync('git', ['ls-files', ...pathspecs], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

export function findVersionPins(root = repoRoot): VersionPin[] {
  const pins: VersionPin[] = [];
  for (const file of pinnedFiles(root)) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const match of text.matchAll(SEMVER)) {
        if (isForeign(text, match.index ?? 0)) continue;
        pins.push({ file, line: index + 1, text: text.trim(), version: match[1] });
      }
    });
  }
  return pins;
}

/** The line with every pin set to `version`. */
export function withVersion(text: string, version: string): string {
  return text.replace(SEMVER, (whole, found: string, offset: number) =>
    isForeign(text, offset) ? whole : whole.replace(found, version),
  );
}

function isForeign(text: string, offset: number): boolean {
  return FOREIGN.some((pattern) => {
    const global = new RegExp(pattern.source, 'g');
    for (const match of text.matchAll(global)) {
      const start = match.index ?? 0;
      if (offset >= start && offset < start + match[0].length) return true;
    }
    return false;
  });
}
