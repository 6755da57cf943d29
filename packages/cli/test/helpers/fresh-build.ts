/**
 * Tests that run a built file (the CLI bundle, the control plane's dist, the GitHub Action's bundle) must run what the
 * current sources build, not whatever an earlier `npm run build` left: a test run alone (`node --test FILE`, or one
 * package's `npm test`) would otherwise pass or fail on a stale bundle. Building costs seconds (the CLI bundle
 * precompiles the CycloneDX schema), so a build is skipped only when a stamp written by the last build here says the
 * outputs on disk are exactly those built from sources with exactly the current content. A hand-run build, an edited
 * source or an edited output all mismatch the stamp, and the next test rebuilds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const packages = join(repoRoot, 'packages');

export interface BuildTarget {
  /** For messages: what is built. */
  name: string;
  /** Files and folders (walked recursively) whose content the outputs are built from. */
  inputs: string[];
  /** The folder the build writes into; the stamp lives there too. */
  outDir: string;
  /** The output files, relative to outDir; undefined means every file the build leaves in outDir. */
  outputs?: string[];
  /** The build: a `node` command line and the directory it runs in. */
  command: { args: string[]; cwd: string };
}

/** What the CLI bundle is built from: its sources, core's, the control plane's start options, the build script. */
const CLI_INPUTS = [
  join(packages, 'cli', 'src'),
  join(packages, 'cli', 'build.mjs'),
  join(packages, 'cli', 'package.json'),
  join(packages, 'core', 'src'),
  join(packages, 'core', 'package.json'),
  join(packages, 'control-plane', 'src'),
  join(packages, 'control-plane', 'package.json'),
  // Dependency versions: the bundle inlines them.
  join(repoRoot, 'package-lock.json'),
];

export const CLI_BUNDLE: BuildTarget = {
  name: 'the CLI bundle (packages/cli/dist/chainloop.cjs)',
  inputs: CLI_INPUTS,
  outDir: join(packages, 'cli', 'dist'),
  outputs: ['chainloop.cjs'],
  command: { args: ['build.mjs'], cwd: join(packages, 'cli') },
};

/** The control plane's dist: what `chainloop control-plane start` loads (dist/index.cjs) and its bin. */
export const CONTROL_PLANE_DIST: BuildTarget = {
  name: 'the control plane bundle (packages/control-plane/dist)',
  inputs: [
    join(packages, 'control-plane', 'src'),
    join(packages, 'control-plane', 'build.mjs'),
    join(packages, 'control-plane', 'package.json'),
    join(packages, 'core', 'src'),
    join(packages, 'core', 'package.json'),
    // The web UI it serves from dist/ui (build.mjs bundles it).
    join(packages, 'web-ui', 'src'),
    join(packages, 'web-ui', 'build.mjs'),
    join(packages, 'web-ui', 'package.json'),
    join(repoRoot, 'package-lock.json'),
  ],
  outDir: join(packages, 'control-plane', 'dist'),
  outputs: ['index.cjs', 'inspection-worker.cjs', 'bin.cjs', 'ui/index.html', 'ui/app.js', 'ui/app.css'],
  command: { args: ['build.mjs'], cwd: join(packages, 'control-plane') },
};

/** The GitHub Action built from its sources (and the CLI's) into `outDir`, which build.mjs empties first. */
export function githubActionBuild(outDir: string): BuildTarget {
  const actionDir = join(packages, 'github-action');
  return {
    name: `the GitHub Action built from src/ into ${outDir}`,
    inputs: [join(actionDir, 'src'), join(actionDir, 'build.mjs'), join(actionDir, 'package.json'), ...CLI_INPUTS],
    outDir,
    command: { args: [join(actionDir, 'build.mjs'), outDir], cwd: actionDir },
  };
}

const STAMP = '.test-build-stamp.json';

/** Checked once per test process: a test file may ask for the same build from several helpers. */
const checked = new Set<string>();

/** Builds `target` unless its outputs are already those of its current inputs (see the file comment). */
export function ensureBuilt(target: BuildTarget): void {
  if (checked.has(target.outDir)) return;
  const inputs = digestOf(target.inputs, repoRoot);
  const stampPath = join(target.outDir, STAMP);
  if (!matchesStamp(target, stampPath, inputs)) {
    const result = spawnSync(process.execPath, target.command.args, {
      cwd: target.command.cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    if (result.status !== 0) {
      throw new Error(`building ${target.name} failed (${result.status ?? result.signal}):\n${result.stderr}`);
    }
    const outputs = outputDigest(target);
    if (outputs === undefined) throw new Error(`building ${target.name} left none of its outputs`);
    writeFileSync(stampPath, `${JSON.stringify({ inputs, outputs })}\n`);
  }
  checked.add(target.outDir);
}

/** The CLI bundle as the current sources build it; returns its path. */
export function freshCliBundle(): string {
  ensureBuilt(CLI_BUNDLE);
  return join(CLI_BUNDLE.outDir, 'chainloop.cjs');
}

function matchesStamp(target: BuildTarget, stampPath: string, inputs: string): boolean {
  if (!existsSync(stampPath)) return false;
  let stamp: { inputs?: unknown; outputs?: unknown };
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return false;
  }
  return stamp.inputs === inputs && stamp.outputs === outputDigest(target);
}

/** The digest of the outputs, or undefined when one is missing. */
function outputDigest(target: BuildTarget): string | undefined {
  const names = target.outputs ?? (existsSync(target.outDir) ? filesUnder(target.outDir, target.outDir) : []);
  const files = names.filter((name) => name !== STAMP).map((name) => join(target.outDir, name));
  if (files.length === 0 || !files.every((file) => existsSync(file))) return undefined;
  return digestOf(files, target.outDir);
}

/** sha256 over the relative path and content of every file in `paths` (folders walked, in a stable order). */
function digestOf(paths: string[], base: string): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    // A missing input is an error in this list, not a reason to skip the build.
    const files = statSync(path).isDirectory() ? filesUnder(path, path).map((name) => join(path, name)) : [path];
    for (const file of files) {
      hash.update(`${relative(base, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

/** Every file below `dir`, as paths relative to `base`, sorted. */
function filesUnder(dir: string, base: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(path, base) : [relative(base, path)];
    })
    .sort();
}
