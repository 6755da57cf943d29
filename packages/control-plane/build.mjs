// Bundles the control plane for `chainloop-control-plane` and for the CLI's lazy `control-plane start`.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // piscina starts its workers from its own files, so it stays a package of its own. dockerode is what core's OCI
  // module loads lazily for docker-daemon: images; the OCI CAS only uses its registry auth, so it is never loaded.
  external: ['better-sqlite3', 'pg-native', 'piscina', 'dockerode'],
  logLevel: 'warning',
  legalComments: 'none',
  define: { CHAINLOOP_INSPECTION_WORKER: JSON.stringify('inspection-worker.cjs') },
  // import.meta.url is only used when running from the TypeScript sources (see intake/inspection-pool.ts).
  logOverride: { 'empty-import-meta': 'silent' },
};
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.cjs' });
await build({ ...common, entryPoints: ['src/intake/inspection-worker.ts'], outfile: 'dist/inspection-worker.cjs' });
await build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/bin.cjs', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/bin.cjs', 0o755);
