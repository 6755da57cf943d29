#!/usr/bin/env node
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'bin.cjs');
if (!existsSync(bundle)) {
  process.stderr.write(`ERR ${bundle} is not built yet: run npm run build in the repository root\n`);
  process.exit(1);
}
require(bundle);
