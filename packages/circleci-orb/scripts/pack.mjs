// Folds the orb source tree (Orb Development Kit layout) into one orb file, as `circleci orb pack src` does:
// src/@orb.yml is the base, each src/<commands|jobs|executors|examples>/<name>.yml becomes <section>.<name>, and a
// value that is exactly <<include(path)>> is replaced by that file's text (path relative to src/).
// The CircleCI CLI is a Go binary that is neither on npm nor in Debian, so it cannot run here; this is its stand-in.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

const SECTIONS = ['commands', 'executors', 'jobs', 'examples'];
const INCLUDE = /^<<\s*include\(([^)]+)\)\s*>>$/;

export class OrbPackError extends Error {}

/** Returns the packed orb as a plain object. */
export function packOrb(srcDir) {
  const orb = readYaml(join(srcDir, '@orb.yml'), srcDir);
  for (const section of SECTIONS) {
    const dir = join(srcDir, section);
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
    if (files.length === 0) continue;
    orb[section] = { ...(orb[section] ?? {}) };
    for (const file of files) {
      const name = file.replace(/\.ya?ml$/, '');
      if (name in orb[section]) {
        throw new OrbPackError(`${section}/${file}: ${section}.${name} is also defined in @orb.yml: keep one of them`);
      }
      orb[section][name] = resolveIncludes(readYaml(join(dir, file), srcDir), srcDir, `${section}/${file}`);
    }
  }
  return orb;
}

/** The packed orb as YAML text (what dist/orb.yml holds). */
export function packOrbYaml(srcDir) {
  return stringify(packOrb(srcDir), { lineWidth: 0 });
}

function readYaml(path, srcDir) {
  if (!existsSync(path)) throw new OrbPackError(`${relative(srcDir, path)}: not found in ${srcDir}`);
  try {
    const value = parse(readFileSync(path, 'utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('expected a mapping at the top level');
    }
    return value;
  } catch (error) {
    throw new OrbPackError(`${relative(srcDir, path)}: invalid YAML: ${error.message.split('\n')[0]}`);
  }
}

function resolveIncludes(value, srcDir, where) {
  if (typeof value === 'string') {
    const match = INCLUDE.exec(value.trim());
    if (!match) return value;
    const target = resolve(srcDir, match[1].trim());
    if (!target.startsWith(resolve(srcDir) + '/')) {
      throw new OrbPackError(`${where}: include(${match[1]}) points outside ${srcDir}: include files under src/`);
    }
    if (!existsSync(target)) throw new OrbPackError(`${where}: include(${match[1]}): file not found under ${srcDir}`);
    return readFileSync(target, 'utf8');
  }
  if (Array.isArray(value)) return value.map((item) => resolveIncludes(item, srcDir, where));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIncludes(v, srcDir, where)]));
  }
  return value;
}

function main(argv) {
  const packageDir = join(import.meta.dirname, '..');
  let srcDir = join(packageDir, 'src');
  let out = join(packageDir, 'dist', 'orb.yml');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--src') srcDir = resolve(argv[++i]);
    else if (argv[i] === '--out') out = resolve(argv[++i]);
    else throw new OrbPackError(`unknown argument "${argv[i]}": usage: pack.mjs [--src DIR] [--out FILE]`);
  }
  const text = packOrbYaml(srcDir);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.error(`packed ${relative(process.cwd(), srcDir) || '.'} into ${relative(process.cwd(), out)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OrbPackError)) throw error;
    console.error(`ERR orb pack: ${error.message}`);
    process.exit(1);
  }
}
