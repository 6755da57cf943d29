/**
 * The adapters as their users consume them, each a tree of its own (a GitLab catalog project, a Jenkins shared
 * library repository, a GitHub Action repository) plus the packed CircleCI orb. Each tree is also archived
 * reproducibly (sorted, fixed owner and time) so the release attests and checksums one file per tree.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './version-set';

const packagesDir = join(repoRoot, 'packages');

export interface AdapterTree {
  name: string;
  dir: string;
  archive: string;
}

/** What of each package goes into its published tree (tests, build scripts and package.json stay here). */
const TREES: Record<string, { from: string; paths: string[] }> = {
  'gitlab-component': { from: 'gitlab-component', paths: ['templates', 'README.md', '.gitlab-ci.yml'] },
  'jenkins-library': { from: 'jenkins-step', paths: ['vars', 'src', 'resources', 'README.md'] },
  'github-action': { from: 'github-action', paths: ['action.yml', 'dist', 'README.md'] },
};

export async function buildAdapterTrees(treesDir: string, outDir: string, version: string): Promise<AdapterTree[]> {
  rmSync(treesDir, { recursive: true, force: true });
  const trees: AdapterTree[] = [];
  for (const [name, { from, paths }] of Object.entries(TREES)) {
    const dir = join(treesDir, name);
    mkdirSync(dir, { recursive: true });
    for (const path of paths) {
      const source = join(packagesDir, from, path);
      if (!existsSync(source)) {
        throw new Error(`${source} is missing: run npm run build first (the Jenkins library's CLI is a build output)`);
      }
      cpSync(source, join(dir, path), { recursive: true });
    }
    const archive = join(outDir, `chainloop-ts-${name}-${version}.tar.gz`);
    archiveTree(treesDir, name, archive);
    trees.push({ name, dir, archive });
  }
  return trees;
}

/** orb.yml: the orb packed as `circleci orb pack` does (packages/circleci-orb/scripts/pack.mjs). */
export async function packOrb(outDir: string): Promise<string> {
  const { packOrbYaml } = (await import(join(packagesDir, 'circleci-orb', 'scripts', 'pack.mjs'))) as {
    packOrbYaml: (srcDir: string) => string;
  };
  const file = join(outDir, 'orb.yml');
  writeFileSync(file, packOrbYaml(join(packagesDir, 'circleci-orb', 'src')));
  return file;
}

/** GNU tar with a fixed order, owner and time, and gzip without a timestamp: the same tree gives the same bytes. */
function archiveTree(parent: string, name: string, archive: string): void {
  const tar = execFileSync(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=go-w', '-cf', '-', name],
    { cwd: parent, maxBuffer: 256 * 1024 * 1024 },
  );
  const gzip = execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(archive, gzip);
}
