/**
 * The release attests itself with the CLI it ships: an embedded control plane (the bundled one, on a free loopback
 * port, in a throwaway data directory), a `release` workflow whose contract names every artifact as an ARTIFACT
 * output (a subject), every SBOM as SBOM_CYCLONEDX_JSON and the git revision; then init, add, push signed with the
 * maintainer's cosign key, and the Sigstore bundle written next to the artifacts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './version-set';

export interface ReleaseMaterial {
  /** Material name in the contract (DNS-1123). */
  name: string;
  file: string;
  kind: 'ARTIFACT' | 'SBOM_CYCLONEDX_JSON';
}

export interface SelfAttestationOptions {
  /** The released CLI bundle (chainloop.cjs) that crafts the attestation. */
  cli: string;
  controlPlaneBin: string;
  materials: ReleaseMaterial[];
  gitRevision: string;
  /** cosign private key (file path or env://VAR); its password in CHAINLOOP_SIGNING_PASSWORD. */
  key: string;
  bundlePath: string;
  contractPath: string;
}

export function releaseContract(materials: ReleaseMaterial[]): string {
  return stringify({
    schemaVersion: 'v1',
    materials: [
      ...materials.map(({ name, kind }) =>
        kind === 'ARTIFACT' ? { type: kind, name, output: true } : { type: kind, name },
      ),
      { type: 'STRING', name: 'git-revision' },
    ],
  });
}

export async function attestRelease(options: SelfAttestationOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'chainloop-release-'));
  const adminToken = `cl_admin_${randomBytes(24).toString('hex')}`;
  const server = spawn(
    process.execPath,
    [options.controlPlaneBin, 'start', '--listen', '127.0.0.1:0', '--data-dir', join(work, 'control-plane'), '--quiet'],
    { env: { ...process.env, CHAINLOOP_CP_ADMIN_TOKEN: adminToken }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const url = await listeningUrl(server);
    const base = { ...cleanEnvironment(), CHAINLOOP_CONTROL_PLANE_API: url, TMPDIR: work };
    const chainloop = (args: string[], env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, [options.cli, ...args], {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const admin = { ...base, CHAINLOOP_TOKEN: adminToken };
    writeFileSync(options.contractPath, releaseContract(options.materials));
    chainloop(
      ['workflow', 'create', '--name', 'release', '--team', 'chainloop-ts', '--project', 'chainloop-ts'],
      admin,
    );
    chainloop(['workflow', 'contract', 'update', '--workflow', 'release', '--file', options.contractPath], admin);
    const robot = JSON.parse(
      chainloop(
        ['workflow', 'robot-account', 'create', '--workflow', 'release', '--name', 'release', '-o', 'json'],
        admin,
      ),
    ) as { token: string };
    const crafting = { ...base, CHAINLOOP_ROBOT_ACCOUNT: robot.token };
    const state = ['--local-state-path', join(work, 'release.state.json')];
    chainloop(['attestation', 'init', ...state], crafting);
    for (const material of options.materials) {
      chainloop(['attestation', 'add', ...state, '--name', material.name, '--value', material.file], crafting);
    }
    chainloop(['attestation', 'add', ...state, '--name', 'git-revision', '--value', options.gitRevision], crafting);
    // Unset stays unset (the CLI then says the password is missing, as the release's key check did), never "".
    const password = process.env.CHAINLOOP_SIGNING_PASSWORD;
    chainloop(['attestation', 'push', ...state, '--key', options.key, '--bundle', options.bundlePath], {
      ...crafting,
      ...(password !== undefined && { CHAINLOOP_SIGNING_PASSWORD: password }),
    });
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(undefined)));
    rmSync(work, { recursive: true, force: true });
  }
}

/** A generic runner: no CI variables leak in from the maintainer's shell, so the statement says where it was made. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['CI', 'GITHUB_ACTIONS', 'GITLAB_CI', 'JENKINS_HOME', 'JENKINS_URL', 'CIRCLECI', 'TF_BUILD']) {
    delete env[name];
  }
  for (const name of Object.keys(env)) if (name.startsWith('CHAINLOOP_')) delete env[name];
  return env;
}

function listeningUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`the release control plane did not start in 30 s:\n${output}`)),
      30_000,
    );
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^INF control plane listening on (https?:\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        server.stderr?.resume();
        resolve(match[1]);
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the release control plane exited (${code}) before listening:\n${output}`));
    });
  });
}
