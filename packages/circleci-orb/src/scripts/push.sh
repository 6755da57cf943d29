#!/bin/bash
# chainloop/push: signs the attestation with the cosign key named by the key parameter and stores it.
set -eo pipefail

is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }
if ! command -v chainloop > /dev/null; then
  echo "chainloop/push: chainloop command not found: run chainloop/install earlier in this job" >&2
  exit 1
fi
# The token stays in the variable that holds it: only its name is a parameter, so it never reaches a command line.
if [ "$PARAM_TOKEN" != CHAINLOOP_TOKEN ]; then export CHAINLOOP_TOKEN="${!PARAM_TOKEN:-}"; fi
if [ -z "${CHAINLOOP_TOKEN:-}${CHAINLOOP_ROBOT_ACCOUNT:-}" ]; then
  echo "chainloop/push: token variable $PARAM_TOKEN is empty: put the robot account token in a project environment variable or context named $PARAM_TOKEN, or set the token parameter to the variable that holds it" >&2
  exit 1
fi
if [ -n "$PARAM_CONTROL_PLANE" ]; then export CHAINLOOP_CONTROL_PLANE_API="$PARAM_CONTROL_PLANE"; fi

# $VAR references in string parameters are expanded as CircleCI orbs do, with `circleci env subst` (every job has
# the circleci CLI; elsewhere the text is used as written).
expand() {
  if [ -n "$1" ] && command -v circleci > /dev/null; then circleci env subst "$1"; else printf '%s' "$1"; fi
}
PARAM_ANNOTATIONS="$(expand "$PARAM_ANNOTATIONS")"

args=(attestation push)
# The key and its password stay in their variables: the CLI reads the key with env://NAME.
if [ -z "${!PARAM_KEY:-}" ]; then
  echo "chainloop/push: signing key variable $PARAM_KEY is empty: put the cosign private key (PEM text) in a project environment variable or context named $PARAM_KEY, or set the key parameter to the variable that holds it" >&2
  exit 1
fi
if [ "$PARAM_PASSWORD" != CHAINLOOP_SIGNING_PASSWORD ]; then export CHAINLOOP_SIGNING_PASSWORD="${!PARAM_PASSWORD:-}"; fi
args+=(--key "env://$PARAM_KEY")
while IFS= read -r annotation; do
  if [ -n "${annotation// /}" ]; then args+=(--annotation "$annotation"); fi
done < <(printf '%s\n' "$PARAM_ANNOTATIONS")
if [ -n "$PARAM_BUNDLE" ]; then args+=(--bundle "${PARAM_BUNDLE/#\~/$HOME}"); fi
if is_true "$PARAM_GRACEFUL_EXIT"; then args+=(--graceful-exit); fi

chainloop "${args[@]}"
