/**
 * The three npm packages of a release, staged from the build outputs and packed with `npm pack`:
 * - @chainloop-ts/cli: the single-file bundle and nothing else (no runtime dependencies);
 * - @chainloop-ts/control-plane: the bundled server, its inspection worker and the CLI it serves to CI jobs; only
 *   the modules esbuild leaves outside (the native SQLite binding, the worker pool) are dependencies;
 * - @chainloop-ts/core: the library (ES modules, types, an exports map) with its dependencies.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCoreLibrary } from './core-library';
import { readJson, repoRoot } from './version-set';

interface Manifest {
  name: string;
  version: string;
  description: string;
  license: string;
  dependencies?: Record<string, string>;
}

const ENGINES = { node: '>=20.19' };
const REPOSITORY = { type: 'git', url: 'https://github.com/chainloop-ts/chainloop-ts.git' };

/** Modules the control-plane bundle requires at run time (see packages/control-plane/build.mjs `external`). */
const CONTROL_PLANE_RUNTIME = ['better-sqlite3', 'piscina'];

export interface PackedPackage {
  name: string;
  /** The staged package folder (what the tarball holds under package/). */
  dir: string;
  tarball: string;
}

export async function packNpmPackages(stageDir: string, outDir: string, version: string): Promise<PackedPackage[]> {
  rmSync(stageDir, { recursive: true, force: true });
  const cliBundle = join(repoRoot, 'packages', 'cli', 'dist', 'chainloop.cjs');
  const staged = [stageCli(stageDir, version, cliBundle), stageControlPlane(stageDir, version, cliBundle)];
  staged.push(await stageCore(stageDir, version));
  return staged.map(({ name, dir }) => ({ name, dir, tarball: npmPack(dir, outDir) }));
}

function stageCli(stageDir: string, version: string, cliBundle: string) {
  const source = manifest('cli');
  const dir = join(stageDir, 'cli');
  mkdirSync(dir, { recursive: true });
  copyFileSync(cliBundle, join(dir, 'chainloop.cjs'));
  chmodSync(join(dir, 'chainloop.cjs'), 0o755);
  writeReadme(dir, source, [
    'npm install -g @chainloop-ts/cli',
    'chainloop --help',
    '# the control plane is a package of its own: npm install -g --allow-scripts=better-sqlite3 @chainloop-ts/control-plane',
  ]);
  writeManifest(dir, source, version, {
    bin: { chainloop: 'chainloop.cjs' },
    files: ['chainloop.cjs'],
  });
  return { name: source.name, dir };
}

function stageControlPlane(stageDir: string, version: string, cliBundle: string) {
  const source = manifest('control-plane');
  const dir = join(stageDir, 'control-plane');
  const dist = join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  for (const file of ['index.cjs', 'bin.cjs', 'inspection-worker.cjs']) {
    copyFileSync(join(repoRoot, 'packages', 'control-plane', 'dist', file), join(dist, file));
  }
  chmodSync(join(dist, 'bin.cjs'), 0o755);
  // The web UI's static files, served at / and /ui/.
  cpSync(join(repoRoot, 'packages', 'control-plane', 'dist', 'ui'), join(dist, 'ui'), { recursive: true });
  // Served at /v1/downloads/chainloop.cjs: the CLI of exactly this version.
  copyFileSync(cliBundle, join(dist, 'chainloop.cjs'));
  writeReadme(dir, source, [
    'npm install -g --allow-scripts=better-sqlite3 @chainloop-ts/control-plane @chainloop-ts/cli',
    'chainloop-control-plane start --data-dir ./chainloop-data   # or: chainloop control-plane start',
  ]);
  writeManifest(dir, source, version, {
    bin: { 'chainloop-control-plane': 'dist/bin.cjs' },
    main: 'dist/index.cjs',
    exports: { '.': { require: './dist/index.cjs', default: './dist/index.cjs' } },
    files: ['dist'],
    dependencies: Object.fromEntries(CONTROL_PLANE_RUNTIME.map((name) => [name, dependencyVersion(source, name)])),
  });
  return { name: source.name, dir };
}

async function stageCore(stageDir: string, version: string) {
  const source = manifest('core');
  const dir = join(stageDir, 'core');
  const subpaths = await buildCoreLibrary(join(dir, 'dist'));
  writeReadme(dir, source, [
    'npm install @chainloop-ts/core',
    "import { parseContract } from '@chainloop-ts/core/contract';",
  ]);
  const entry = (name: string) => ({ types: `./dist/types/${name}.d.ts`, default: `./dist/${name}.js` });
  writeManifest(dir, source, version, {
    type: 'module',
    main: './dist/index.js',
    types: './dist/types/index.d.ts',
    exports: {
      '.': entry('index'),
      ...Object.fromEntries(
        subpaths.map((name) => [
          `./${name}`,
          { types: `./dist/types/${name}/index.d.ts`, default: `./dist/${name}.js` },
        ]),
      ),
      './package.json': './package.json',
    },
    files: ['dist'],
    dependencies: source.dependencies,
  });
  return { name: source.name, dir };
}

function manifest(workspace: string): Manifest {
  return readJson<Manifest>(join(repoRoot, 'packages', workspace, 'package.json'));
}

function dependencyVersion(source: Manifest, name: string): string {
  const version = source.dependencies?.[name];
  if (!version) throw new Error(`${source.name} does not depend on ${name}: add it to its package.json`);
  return version;
}

/** The published package.json: the workspace package's identity and this release's version, then `fields`. */
function writeManifest(dir: string, source: Manifest, version: string, fields: Record<string, unknown>): void {
  const manifest = {
    name: source.name,
    version,
    description: source.description,
    license: source.license,
    repository: REPOSITORY,
    engines: ENGINES,
    ...fields,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function writeReadme(dir: string, source: Manifest, usage: string[]): void {
  writeFileSync(
    join(dir, 'README.md'),
    `# ${source.name}\n\n${source.description}.\n\n\`\`\`sh\n${usage.join('\n')}\n\`\`\`\n\nDocumentation: ${REPOSITORY.url.replace(/\.git$/, '')}\n`,
  );
}

/** `npm pack` of a staged folder into outDir; returns the tarball's path. */
function npmPack(dir: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output) as { filename: string }[];
  return join(outDir, packed.filename);
}
