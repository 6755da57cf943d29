#!/usr/bin/env bash
# Quick start: build, start the embedded control plane, create the seed's workflow with its contract and a robot
# account, show them, and stop the control plane. Safe to run again: it starts from a fresh .chainloop/quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
chainloop() { node packages/cli/bin/chainloop.cjs "$@"; }

step "Building"
npm run build --silent

DATA_DIR=.chainloop/quickstart
LOG="$DATA_DIR.log"
rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"

# The default port when it is free, else any free one (the control plane prints the one it bound).
LISTEN=127.0.0.1:8000
if ! node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(8000,"127.0.0.1",()=>s.close())'; then
  LISTEN=127.0.0.1:0
fi

step "Starting the control plane (data in $DATA_DIR, log in $LOG)"
# Generate a fresh admin token into DATA_DIR/admin.token rather than inheriting one from the environment.
env -u CHAINLOOP_CP_ADMIN_TOKEN node packages/cli/bin/chainloop.cjs control-plane start \
  --listen "$LISTEN" --data-dir "$DATA_DIR" 2>"$LOG" &
CP_PID=$!
stop_control_plane() {
  if kill -0 "$CP_PID" 2>/dev/null; then
    kill -TERM "$CP_PID"
    wait "$CP_PID" || true
  fi
}
trap stop_control_plane EXIT

URL=""
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^INF control plane listening on \(http:[^ ]*\)$/\1/p' "$LOG")
  [ -n "$URL" ] && break
  kill -0 "$CP_PID" 2>/dev/null || { cat "$LOG" >&2; echo "ERR the control plane did not start (log above)" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { cat "$LOG" >&2; echo "ERR the control plane did not start within 10s" >&2; exit 1; }
grep '^INF admin token' "$LOG"
echo "control plane: $URL"

export CHAINLOOP_CONTROL_PLANE_API="$URL"
CHAINLOOP_TOKEN="$(cat "$DATA_DIR/admin.token")"
export CHAINLOOP_TOKEN

step "chainloop workflow create --name build-and-test --team 'cyberdyne core' --project skynet"
chainloop workflow create --name build-and-test --team "cyberdyne core" --project skynet

step "chainloop workflow contract update --workflow build-and-test --file examples/contract.yaml"
chainloop workflow contract update --workflow build-and-test --file examples/contract.yaml

step "chainloop workflow robot-account create --workflow build-and-test"
ROBOT_JSON=$(chainloop workflow robot-account create --workflow build-and-test --name quickstart -o json)
CHAINLOOP_ROBOT_ACCOUNT=$(printf '%s' "$ROBOT_JSON" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
export CHAINLOOP_ROBOT_ACCOUNT
echo "robot account token (shown once, keep it as the CI secret CHAINLOOP_ROBOT_ACCOUNT): ${CHAINLOOP_ROBOT_ACCOUNT:0:16}…"

step "chainloop workflow list"
chainloop workflow list

step "chainloop workflow contract describe --workflow build-and-test"
chainloop workflow contract describe --workflow build-and-test

step "chainloop workflow robot-account list --workflow build-and-test"
chainloop workflow robot-account list --workflow build-and-test

step "Stopping the control plane"
stop_control_plane
trap - EXIT
tail -n 1 "$LOG"
echo "Done. Start it again with: npx chainloop control-plane start --data-dir $DATA_DIR"
