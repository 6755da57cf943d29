#!/usr/bin/env bash
# Installs the Debian packages the test suites run for real (README: Testing). Fails loudly when it cannot:
# a suite never skips silently because a component is missing.
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in docker-registry skopeo umoci podman groovy rsync python3-securesystemslib postgresql openssl curl jq git apache2-utils shellcheck gettext-base time haproxy tinyproxy chromium; do
  have_pkg "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "ERR missing Debian packages (${need[*]}) and not root: install them with apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || { echo "ERR apt-get update failed: cannot install ${need[*]}" >&2; exit 1; }
  apt-get install -y -qq "${need[@]}" >/dev/null || { echo "ERR apt-get install ${need[*]} failed" >&2; exit 1; }
fi
