// Bundles the action into dist/, which is COMMITTED: the runner runs an action straight from its repository, with no
// install step. `node build.mjs [outDir]` (default dist); the dist test rebuilds into a temp dir and compares.
//   dist/main.js, dist/post.js  the two entry points (ESM, @actions/core inlined)
//   dist/chainloop.cjs          the chainloop CLI, which they run with the runner's own Node (no download)
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCliBundle } from '../cli/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? join(here, 'dist'));
// Start empty: a chunk of an earlier build (its name carries a hash) must not linger in the committed dist/.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: { main: join(here, 'src/main.ts'), post: join(here, 'src/post.ts') },
  outdir: outDir,
  absWorkingDir: here,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // main and post share the runner-protocol code: one chunk instead of a copy in each entry point.
  splitting: true,
  chunkNames: 'shared-[hash]',
  // @actions/core is CommonJS and requires Node built-ins; an ESM bundle needs a real `require` for them.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});

// The CLI of this commit, built by packages/cli's own build (same loader, same bundle): no download at run time.
await buildCliBundle(join(outDir, 'chainloop.cjs'));
