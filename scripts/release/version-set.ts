import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** The workspaces a release is made of, in lerna's fixed mode: they all carry lerna.json's version. */
export const RELEASED_PACKAGES = [
  'core',
  'control-plane',
  'cli',
  'gitlab-component',
  'jenkins-step',
  'circleci-orb',
  'github-action',
] as const;

export class VersionSetError extends Error {}

/** The one version of this release (lerna.json, fixed mode), after checking every package and the root agree. */
export function releaseVersion(root = repoRoot): string {
  const version = readJson<{ version?: string }>(join(root, 'lerna.json')).version;
  if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new VersionSetError(
      `lerna.json: version "${version}" is not a semantic version: set it with npx lerna version`,
    );
  }
  const manifests = ['package.json', ...RELEASED_PACKAGES.map((name) => join('packages', name, 'package.json'))];
  for (const manifest of manifests) {
    const found = readJson<{ version?: string }>(join(root, manifest)).version;
    if (found !== version) {
      throw new VersionSetError(
        `${manifest}: version ${found} differs from lerna.json's ${version}: set every package at once with npx lerna version ${version} --no-push`,
      );
    }
  }
  return version;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
