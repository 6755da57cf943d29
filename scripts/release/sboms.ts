/**
 * A CycloneDX SBOM of each npm package, from `npm sbom` over the workspace's installed tree without dev
 * dependencies: for the bundles (CLI, control plane) that is what esbuild folded into them, for core what it
 * installs. npm names the component after the repository folder, so the SBOM's subject is set to the package.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './version-set';

interface CycloneDxBom {
  metadata: { component?: Record<string, unknown> };
}

export function writeSbom(packageName: string, version: string, outDir: string): string {
  const output = execFileSync(
    'npm',
    ['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'library', '--omit', 'dev', '--workspace', packageName],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const bom = JSON.parse(output) as CycloneDxBom;
  const purl = `pkg:npm/${encodeURIComponent(packageName.split('/')[0])}/${packageName.split('/')[1]}@${version}`;
  bom.metadata.component = { 'bom-ref': purl, type: 'library', name: packageName, version, purl };
  const file = join(outDir, `${packageName.replace('@', '').replace('/', '-')}-${version}.cdx.json`);
  writeFileSync(file, `${JSON.stringify(bom, null, 2)}\n`);
  return file;
}
