// Bundles the action into dist/, which is COMMITTED: the runner runs an action straight from its repository, with no
// install step. `node build.mjs [outDir]` (default dist); the dist test rebuilds into a temp dir and compares.
//   dist/main.js, dist/post.js  the two entry points (ESM, @actions/core inlined)
//   dist/chainloop.cjs          the chainloop CLI, which they run with the runner's own Node (no download)
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? join(here, 'dist'));
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: { main: join(here, 'src/main.ts'), post: join(here, 'src/post.ts') },
  outdir: outDir,
  absWorkingDir: here,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // @actions/core is CommonJS and requires Node built-ins; an ESM bundle needs a real `require` for them.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});

// The same bundle as packages/cli/build.mjs makes, built from the same sources, so the action ships the CLI of its commit.
const cliDir = join(here, '..', 'cli');
await build({
  entryPoints: [join(cliDir, 'src/bin.ts')],
  outfile: join(outDir, 'chainloop.cjs'),
  absWorkingDir: cliDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  external: ['@chainloop-ts/control-plane', 'better-sqlite3', 'pg-native', 'cpu-features', '*.node'],
  logLevel: 'warning',
  legalComments: 'none',
});
