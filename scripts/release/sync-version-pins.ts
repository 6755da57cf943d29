// Sets every version pin in READMEs and templates to lerna.json's version. Run by lerna as the root `version`
// lifecycle script (npx lerna version X), so the bump commit carries the pins; `--check` only reports drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findVersionPins, withVersion } from './version-pins';
import { releaseVersion, repoRoot } from './version-set';

const version = releaseVersion();
const drifted = findVersionPins().filter((pin) => pin.version !== version);
if (process.argv.includes('--check')) {
  for (const pin of drifted) {
    console.error(`ERR ${pin.file}:${pin.line} pins ${pin.version}, not ${version}: run npm run sync-version-pins`);
  }
  process.exit(drifted.length === 0 ? 0 : 1);
}
for (const file of new Set(drifted.map((pin) => pin.file))) {
  const path = join(repoRoot, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  writeFileSync(path, lines.map((line) => withVersion(line, version)).join('\n'));
  console.log(`${file}: pins set to ${version}`);
}
