#!/bin/bash
# chainloop/add: adds one material (name/value) or a list of them (materials) to the attestation in progress.
set -eo pipefail

if ! command -v chainloop > /dev/null; then
  echo "chainloop/add: chainloop command not found: run chainloop/install earlier in this job" >&2
  exit 1
fi
# The token stays in the variable that holds it: only its name is a parameter, so it never reaches a command line.
if [ "$PARAM_TOKEN" != CHAINLOOP_TOKEN ]; then export CHAINLOOP_TOKEN="${!PARAM_TOKEN:-}"; fi
if [ -z "${CHAINLOOP_TOKEN:-}${CHAINLOOP_ROBOT_ACCOUNT:-}" ]; then
  echo "chainloop/add: token variable $PARAM_TOKEN is empty: put the robot account token in a project environment variable or context named $PARAM_TOKEN, or set the token parameter to the variable that holds it" >&2
  exit 1
fi
if [ -n "$PARAM_CONTROL_PLANE" ]; then export CHAINLOOP_CONTROL_PLANE_API="$PARAM_CONTROL_PLANE"; fi
if [ "$PARAM_REGISTRY_PASSWORD" != CHAINLOOP_REGISTRY_PASSWORD ]; then
  export CHAINLOOP_REGISTRY_PASSWORD="${!PARAM_REGISTRY_PASSWORD:-}"
fi

# $VAR references in string parameters are expanded as CircleCI orbs do, with `circleci env subst` (every job has
# the circleci CLI; elsewhere the text is used as written).
expand() {
  if [ -n "$1" ] && command -v circleci > /dev/null; then circleci env subst "$1"; else printf '%s' "$1"; fi
}
PARAM_NAME="$(expand "$PARAM_NAME")"
PARAM_VALUE="$(expand "$PARAM_VALUE")"
PARAM_MATERIALS="$(expand "$PARAM_MATERIALS")"
PARAM_ANNOTATIONS="$(expand "$PARAM_ANNOTATIONS")"

args=(attestation add)
if [ -n "$PARAM_MATERIALS" ]; then
  if [ -n "$PARAM_NAME$PARAM_VALUE" ]; then
    echo "chainloop/add: both materials and name/value are set: use materials for several, or name and value for one" >&2
    exit 2
  fi
  args+=(--materials "$PARAM_MATERIALS")
elif [ -n "$PARAM_VALUE" ]; then
  if [ -n "$PARAM_NAME" ]; then args+=(--name "$PARAM_NAME"); fi
  args+=(--value "$PARAM_VALUE")
  if [ -n "$PARAM_KIND" ]; then args+=(--kind "$PARAM_KIND"); fi
else
  echo "chainloop/add: nothing to add: set materials (one name=value per line), or name and value" >&2
  exit 2
fi
while IFS= read -r annotation; do
  if [ -n "${annotation// /}" ]; then args+=(--annotation "$annotation"); fi
done < <(printf '%s\n' "$PARAM_ANNOTATIONS")
if [ -n "$PARAM_REGISTRY_SERVER" ]; then args+=(--registry-server "$PARAM_REGISTRY_SERVER"); fi
if [ -n "$PARAM_REGISTRY_USERNAME" ]; then args+=(--registry-username "$PARAM_REGISTRY_USERNAME"); fi

base_dir="${PARAM_BASE_DIR/#\~/$HOME}"
if [ ! -d "$base_dir" ]; then
  echo "chainloop/add: base_dir $PARAM_BASE_DIR is not a folder: attach the workspace or create it before adding" >&2
  exit 1
fi
cd "$base_dir"
chainloop "${args[@]}"
