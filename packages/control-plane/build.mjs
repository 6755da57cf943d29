// Bundles the control plane for `chainloop-control-plane` and for the CLI's lazy `control-plane start`.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['better-sqlite3', 'pg-native'],
  logLevel: 'warning',
  legalComments: 'none',
};
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.cjs' });
await build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/bin.cjs', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/bin.cjs', 0o755);
