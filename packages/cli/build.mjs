// Bundles the CLI into one CommonJS file that runs with plain `node` and carries no native module.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/chainloop.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  // The control plane (and its native SQLite driver) is loaded lazily by `chainloop control-plane start`.
  external: ['@chainloop-ts/control-plane', 'better-sqlite3', 'pg-native', 'cpu-features', '*.node'],
  logLevel: 'warning',
  legalComments: 'none',
});
chmodSync('dist/chainloop.cjs', 0o755);
