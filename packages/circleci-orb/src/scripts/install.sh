#!/bin/bash
# chainloop/install: puts a chainloop command on PATH for the following steps (through $BASH_ENV).
set -eo pipefail

install_dir="${PARAM_INSTALL_DIR/#\~/$HOME}"
bin_dir="$install_dir/bin"
mkdir -p "$bin_dir"

if [ -n "$PARAM_CLI_PATH" ]; then
  cli_path="${PARAM_CLI_PATH/#\~/$HOME}"
  case "$cli_path" in /*) ;; *) cli_path="$PWD/$cli_path" ;; esac
  if [ ! -f "$cli_path" ]; then
    echo "chainloop/install: cli_path $PARAM_CLI_PATH not found in $PWD: build or check out the CLI bundle first, or leave cli_path empty to install from npm" >&2
    exit 1
  fi
  # A two-line wrapper rather than a symlink: the bundle is a .cjs file that needs node in front of it.
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$cli_path" > "$bin_dir/chainloop"
  chmod +x "$bin_dir/chainloop"
else
  if ! command -v npm > /dev/null; then
    echo "chainloop/install: npm not found: run on an image with Node.js 20.19+ (the chainloop/default executor), or set cli_path" >&2
    exit 1
  fi
  spec="$PARAM_PACKAGE"
  if [ -n "$PARAM_VERSION" ]; then spec="$PARAM_PACKAGE@$PARAM_VERSION"; fi
  npm install --prefix "$install_dir" --no-fund --no-audit --loglevel=error "$spec"
  ln -sf "$install_dir/node_modules/.bin/chainloop" "$bin_dir/chainloop"
fi

echo "export PATH=\"$bin_dir:\$PATH\"" >> "$BASH_ENV"
echo "chainloop $("$bin_dir/chainloop" --version) installed in $bin_dir"
