import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vectors } from './paths';

export const signingKey = join(vectors, 'keys', 'generated__p256_N65536.key');
export const signingPublicKey = join(vectors, 'keys', 'generated__p256_N65536.pub');
export const signingPassword = 'correct horse battery staple';
export const seedContract = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'seed-contract.yaml'), 'utf8');

/** A GitHub Actions job's environment, as the runner sets it (values from the seed's status --full). */
export function githubActionsEnv(): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SHA: 'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
    RUNNER_NAME: 'Hosted Agent',
    RUNNER_OS: 'Linux',
    GITHUB_ACTOR: 'migmartri',
    GITHUB_REF: 'refs/tags/v0.8.9',
    GITHUB_REPOSITORY: 'chainloop-dev/bedrock',
    GITHUB_REPOSITORY_OWNER: 'chainloop-dev',
    GITHUB_RUN_ID: '3410079758',
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

/** A working directory with the seed's files: rootfs.tar.gz (7 bytes), a Dockerfile and a CycloneDX SBOM. */
export function seedWorkspace(options: { git?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'seed-'));
  writeFileSync(join(dir, 'rootfs.tar.gz'), 'rootfs\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  copyFileSync(join(vectors, 'materials', 'sbom.cyclonedx-1.5.json'), join(dir, 'sbom.cyclonedx.json'));
  if (options.git) {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.email=dev@example.com', '-c', 'user.name=Dev', 'commit', '-qm', 'release v0.8.9');
  }
  return dir;
}
