#!/usr/bin/env bash
# The whole test suite: system components, build, lint, types, unit tests of every package, end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
bash scripts/ensure-node-versions.sh
npm run build
npm run lint
npm run typecheck
npm run test:unit
npm run test:e2e
