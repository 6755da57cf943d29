/**
 * @chainloop-ts/core as a library for people who script attestations: ES modules (one file per subpath, shared code
 * in chunks so `ChainloopError` is one class across subpaths), type declarations, and an exports map with the same
 * subpaths the workspace uses (`@chainloop-ts/core/attestation`, `/contract`, …). Its dependencies stay dependencies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './version-set';

const coreDir = join(repoRoot, 'packages', 'core');

/** The concept folders exported as subpaths: each has an index.ts. */
export function coreSubpaths(): string[] {
  return readdirSync(join(coreDir, 'src'))
    .filter((name) => existsSync(join(coreDir, 'src', name, 'index.ts')))
    .sort();
}

/** Builds the library into `outDir` (dist/ of the staged package): index.js, <subpath>.js, chunks, types/. */
export async function buildCoreLibrary(outDir: string): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const subpaths = coreSubpaths();
  await build({
    entryPoints: {
      index: join(coreDir, 'src', 'index.ts'),
      ...Object.fromEntries(subpaths.map((name) => [name, join(coreDir, 'src', name, 'index.ts')])),
    },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    legalComments: 'none',
    // Dependencies written in CommonJS are still require()d by some modules the bundle inlines.
    banner: {
      js: "import { createRequire as __chainloopCreateRequire } from 'node:module';\nconst require = __chainloopCreateRequire(import.meta.url);",
    },
  });
  const typesDir = join(outDir, 'types');
  // Inside the repository, so tsc finds @types/node the way the workspace does.
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  // Named per process: two releases at once (tests in parallel) must not remove each other's file.
  const tsconfig = join(repoRoot, '.tmp', `tsconfig.core-types.${process.pid}.json`);
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: typesDir,
        rootDir: join(coreDir, 'src'),
      },
      include: [join(coreDir, 'src', '**', '*.ts')],
    }),
  );
  try {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
  } finally {
    rmSync(tsconfig, { force: true });
  }
  addDeclarationExtensions(typesDir);
  return subpaths;
}

/**
 * tsc keeps the sources' extensionless relative imports in the .d.ts files; consumers resolving like Node
 * (`moduleResolution: node16/nodenext`) need `./errors.js` and `./attestation/index.js`. No tsc option rewrites
 * extensionless paths, so this does, knowing each target exists.
 */
function addDeclarationExtensions(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      addDeclarationExtensions(path);
      continue;
    }
    if (!entry.endsWith('.d.ts')) continue;
    const text = readFileSync(path, 'utf8').replace(
      /(from\s+|import\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g,
      (whole, lead: string, quote: string, specifier: string) => {
        const base = join(dirname(path), specifier);
        if (existsSync(`${base}.d.ts`)) return `${lead}${quote}${specifier}.js${quote}`;
        if (existsSync(join(base, 'index.d.ts'))) return `${lead}${quote}${specifier}/index.js${quote}`;
        return whole;
      },
    );
    writeFileSync(path, text);
  }
}
