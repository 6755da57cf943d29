#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
echo "quick start: not yet wired (the control plane lands with the foundation issue)"
