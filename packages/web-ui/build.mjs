// Bundles the UI into dist/: app.js (the only script), app.css and index.html, which loads them by URL (no inline
// script or style, so the control plane's Content-Security-Policy can stay `default-src 'self'`).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.tsx'],
  outfile: 'dist/app.js',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/app.css', 'dist/app.css');
copyFileSync('src/index.html', 'dist/index.html');
