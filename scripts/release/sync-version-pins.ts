// Sets every version pin in READMEs and templates (and the root package.json, which lerna does not version) to
// lerna.json's version. Run by lerna as the root `version` lifecycle script (npx lerna version X), so the bump commit
// carries the pins; `--check` only reports drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findVersionPins, withVersion } from './version-pins';
import { readJson, releaseVersion, repoRoot, VersionSetError } from './version-set';

function main(check: boolean): number {
  if (!check) syncRootVersion();
  const version = releaseVersion();
  const drifted = findVersionPins().filter((pin) => pin.version !== version);
  if (check) {
    for (const pin of drifted) {
      console.error(`ERR ${pin.file}:${pin.line} pins ${pin.version}, not ${version}: run npm run sync-version-pins`);
    }
    return drifted.length === 0 ? 0 : 1;
  }
  for (const file of new Set(drifted.map((pin) => pin.file))) {
    const path = join(repoRoot, file);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, lines.map((line) => withVersion(line, version)).join('\n'));
    console.log(`${file}: pins set to ${version}`);
  }
  return 0;
}

/** The root package.json carries the version too (npm sbom names it); lerna bumps only the packages. */
function syncRootVersion(): void {
  const version = readJson<{ version: string }>(join(repoRoot, 'lerna.json')).version;
  const path = join(repoRoot, 'package.json');
  const text = readFileSync(path, 'utf8');
  const manifest = JSON.parse(text) as { version?: string };
  if (manifest.version === version) return;
  writeFileSync(path, text.replace(/"version": "[^"]*"/, `"version": "${version}"`));
  console.log(`package.json: version set to ${version}`);
}

try {
  process.exitCode = main(process.argv.includes('--check'));
} catch (error) {
  if (!(error instanceof VersionSetError)) throw error;
  console.error(`ERR ${error.message}`);
  process.exitCode = 1;
}
