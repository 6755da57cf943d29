// Bundles the control plane for `chainloop-control-plane` and for the CLI's lazy `control-plane start`.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync } from 'node:fs';
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
// The web UI, served from dist/ui: its bundle is made here from its current sources (so a test that rebuilds this
// package never serves a stale UI), then copied. The root build type-checks it first (packages/web-ui's build).
const ui = spawnSync(process.execPath, ['build.mjs'], { cwd: '../web-ui', stdio: 'inherit' });
if (ui.status !== 0) throw new Error('building the web UI (packages/web-ui/build.mjs) failed: see its output above');
rmSync('dist/ui', { recursive: true, force: true });
cpSync('../web-ui/dist', 'dist/ui', { recursive: true });
