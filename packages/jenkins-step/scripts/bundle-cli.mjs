// Copies the single-file CLI (packages/cli/dist/chainloop.cjs) into the library's resources/, with its sha256 so
// the steps name the copy they write on an agent by content. Generated, not committed: run after building the CLI.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const packageDir = join(import.meta.dirname, '..');
const source = join(packageDir, '..', 'cli', 'dist', 'chainloop.cjs');
const target = join(packageDir, 'resources', 'dev', 'chainloop', 'jenkins', 'chainloop.cjs');

if (!existsSync(source)) {
  console.error(
    `${source} not found: build the CLI first (npm run build at the repo root, or node build.mjs in packages/cli)`,
  );
  process.exit(1);
}
const bundle = readFileSync(source);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, bundle);
writeFileSync(`${target}.sha256`, `${createHash('sha256').update(bundle).digest('hex')}\n`);
console.log(`bundled ${source} into ${target}`);
