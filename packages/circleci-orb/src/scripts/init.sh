#!/bin/bash
# chainloop/init: starts the attestation; with remote state, hands its ID to later steps and jobs.
set -eo pipefail

is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }
if ! command -v chainloop > /dev/null; then
  echo "chainloop/init: chainloop command not found: run chainloop/install earlier in this job" >&2
  exit 1
fi
# The token stays in the variable that holds it: only its name is a parameter, so it never reaches a command line.
if [ "$PARAM_TOKEN" != CHAINLOOP_TOKEN ]; then export CHAINLOOP_TOKEN="${!PARAM_TOKEN:-}"; fi
if [ -z "${CHAINLOOP_TOKEN:-}${CHAINLOOP_ROBOT_ACCOUNT:-}" ]; then
  echo "chainloop/init: token variable $PARAM_TOKEN is empty: put the robot account token in a project environment variable or context named $PARAM_TOKEN, or set the token parameter to the variable that holds it" >&2
  exit 1
fi
if [ -n "$PARAM_CONTROL_PLANE" ]; then export CHAINLOOP_CONTROL_PLANE_API="$PARAM_CONTROL_PLANE"; fi

args=(attestation init)
if [ -n "$PARAM_CONTRACT_REVISION" ]; then args+=(--contract-revision "$PARAM_CONTRACT_REVISION"); fi
if is_true "$PARAM_DRY_RUN"; then args+=(--dry-run); fi
if is_true "$PARAM_GRACEFUL_EXIT"; then args+=(--graceful-exit); fi
if is_true "$PARAM_REMOTE_STATE"; then
  workspace_root="${PARAM_WORKSPACE_ROOT/#\~/$HOME}"
  id_file="$workspace_root/chainloop-attestation.env"
  mkdir -p "$workspace_root"
  rm -f "$id_file"
  args+=(--remote-state --dotenv-file "$id_file")
fi

chainloop "${args[@]}"

if is_true "$PARAM_REMOTE_STATE"; then
  touch "$id_file" # a failed init under graceful_exit leaves it empty; the persist step still finds it
fi
if is_true "$PARAM_REMOTE_STATE" && [ -s "$id_file" ]; then
  id="$(sed -n 's/^CHAINLOOP_ATTESTATION_ID=//p' "$id_file" | tail -n 1)"
  echo "export CHAINLOOP_ATTESTATION_ID=\"$id\"" >> "$BASH_ENV"
  echo "Attestation $id: its ID is in $id_file for the jobs that attach this workspace"
fi
