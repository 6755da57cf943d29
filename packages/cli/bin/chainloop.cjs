#!/usr/bin/env node
// Launcher for `npx chainloop` in the repository: the real CLI is the single-file bundle built by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'chainloop.cjs');
if (!existsSync(bundle)) {
  process.stderr.write(`ERR ${bundle} is not built yet: run npm run build in the repository root\n`);
  process.exit(1);
}
require(bundle);
