#!/usr/bin/env bash
# Quick start: build, start the embedded control plane, create the seed's workflow with its contract and a robot
# account, then craft, sign, push and verify an attestation the way a CI job would, and stop the control plane. Safe to run again: it starts from a fresh .chainloop/quickstart.
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

# ---------------------------------------------------------------------------------------------------------------
# Crafting: what a CI job does with the robot account (the seed's transcript), here with a generic runner.
WORK="$DATA_DIR/work"
mkdir -p "$WORK/tmp"
# The local crafting state lives in the OS temp dir; a private one keeps the quick start away from any attestation
# you may have in progress.
export TMPDIR="$PWD/$WORK/tmp"
unset CI GITHUB_ACTIONS GITLAB_CI JENKINS_HOME CIRCLECI TF_BUILD || true
# The contract's envAllowList (the seed's GitHub variables) must be set outside --dry-run.
export GITHUB_REF=refs/tags/v0.8.9 GITHUB_RUN_ID=3410079758 GITHUB_REPOSITORY=cyberdyne/skynet
tar -czf "$WORK/rootfs.tar.gz" -C examples contract.yaml
cp fixtures/vectors/materials/sbom.cyclonedx-1.5.json "$WORK/sbom.cyclonedx.json"

IMAGE=""
REGISTRY_PID=""
stop_registry() { if [ -n "$REGISTRY_PID" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then kill "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null || true; fi; }
trap 'stop_registry; stop_control_plane' EXIT
if [ "$(id -u)" = 0 ] && ! { command -v docker-registry && command -v skopeo && command -v umoci; } >/dev/null 2>&1; then
  step "Installing a local OCI registry, skopeo and umoci (Debian) for the image material"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo umoci >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo umoci >/dev/null 2>&1; } \
    || echo "WRN could not install docker-registry/skopeo/umoci: the image material comes from an OCI layout instead"
fi
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null && command -v umoci >/dev/null; then
  step "Building an image with umoci and pushing it with skopeo to a local registry"
  REGISTRY_PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  cat >"$WORK/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $PWD/$WORK/registry
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
  docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
  umoci init --layout "$WORK/oci" && umoci new --image "$WORK/oci:v0.7.6"
  umoci insert --rootless --image "$WORK/oci:v0.7.6" examples/contract.yaml /contract.yaml >/dev/null
  skopeo copy --quiet --dest-tls-verify=false "oci:$WORK/oci:v0.7.6" "docker://127.0.0.1:$REGISTRY_PORT/skynet-control-plane:v0.7.6"
  IMAGE="127.0.0.1:$REGISTRY_PORT/skynet-control-plane:v0.7.6"
  echo "skopeo inspect reports: $(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$IMAGE")"
else
  IMAGE="fixtures/vectors/materials/oci-layouts/skopeo"
  echo "(no local registry tools: the image material is the OCI image layout $IMAGE)"
fi

step "chainloop keys generate (a cosign key pair to sign with; password in CHAINLOOP_SIGNING_PASSWORD)"
export CHAINLOOP_SIGNING_PASSWORD="quick start passphrase"
chainloop keys generate --output-prefix "$WORK/cosign"

step "chainloop attestation init"
chainloop attestation init

step "chainloop attestation add --name skynet-control-plane --value $IMAGE"
chainloop attestation add --name skynet-control-plane --value "$IMAGE"
step "chainloop attestation add --name rootfs --value rootfs.tar.gz"
chainloop attestation add --name rootfs --value "$WORK/rootfs.tar.gz"
step "chainloop attestation add --name build-ref --value \$(git rev-parse HEAD)"
chainloop attestation add --name build-ref --value "$(git rev-parse HEAD 2>/dev/null || echo 80e461e9b385c6986cdb8096c9dc99928943d667)"
step "chainloop attestation add --name skynet-sbom --value sbom.cyclonedx.json"
chainloop attestation add --name skynet-sbom --value "$WORK/sbom.cyclonedx.json"

step "chainloop attestation status --full"
chainloop attestation status --full

step "chainloop attestation push --key cosign.key --bundle attestation.sigstore.json"
chainloop attestation push --key "$WORK/cosign.key" --bundle "$WORK/attestation.sigstore.json"

step "chainloop workflow run list (admin)"
chainloop workflow run list --workflow build-and-test
RUN_ID=$(chainloop workflow run list --workflow build-and-test -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log((Array.isArray(v)?v:v.runs)[0].id)})')

step "chainloop workflow run describe --id $RUN_ID --verify --key cosign.pub (the stored attestation, verified)"
chainloop workflow run describe --id "$RUN_ID" --verify --key "$WORK/cosign.pub"

step "chainloop attestation verify attestation.sigstore.json --key cosign.pub (offline)"
chainloop attestation verify "$WORK/attestation.sigstore.json" --key "$WORK/cosign.pub"

ROOTFS_DIGEST="sha256:$(sha256sum "$WORK/rootfs.tar.gz" | cut -d' ' -f1)"
step "chainloop artifact download --digest $ROOTFS_DIGEST (the rootfs, back from the CAS)"
chainloop artifact download --digest "$ROOTFS_DIGEST" --output "$WORK/rootfs.downloaded.tar.gz"
cmp "$WORK/rootfs.tar.gz" "$WORK/rootfs.downloaded.tar.gz" && echo "identical to what was added"

stop_registry
step "Stopping the control plane"
stop_control_plane
trap - EXIT
tail -n 1 "$LOG"
echo "Done. Start it again with: npx chainloop control-plane start --data-dir $DATA_DIR"
echo "then open its web UI, http://127.0.0.1:8000/, and sign in with the token in $DATA_DIR/admin.token"
