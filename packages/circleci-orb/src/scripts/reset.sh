#!/bin/bash
# chainloop/reset: marks the attestation in progress as failed or cancelled (a no-op when nothing is in progress).
set -eo pipefail

is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }
if ! command -v chainloop > /dev/null; then
  echo "chainloop/reset: chainloop command not found: run chainloop/install earlier in this job" >&2
  exit 1
fi
# The token stays in the variable that holds it: only its name is a parameter, so it never reaches a command line.
if [ "$PARAM_TOKEN" != CHAINLOOP_TOKEN ]; then export CHAINLOOP_TOKEN="${!PARAM_TOKEN:-}"; fi
if [ -z "${CHAINLOOP_TOKEN:-}${CHAINLOOP_ROBOT_ACCOUNT:-}" ]; then
  echo "chainloop/reset: token variable $PARAM_TOKEN is empty: put the robot account token in a project environment variable or context named $PARAM_TOKEN, or set the token parameter to the variable that holds it" >&2
  exit 1
fi
if [ -n "$PARAM_CONTROL_PLANE" ]; then export CHAINLOOP_CONTROL_PLANE_API="$PARAM_CONTROL_PLANE"; fi

args=(attestation reset --trigger "$PARAM_TRIGGER")
if [ -n "$PARAM_REASON" ]; then args+=(--reason "$PARAM_REASON"); fi
if is_true "$PARAM_GRACEFUL_EXIT"; then args+=(--graceful-exit); fi

chainloop "${args[@]}"
