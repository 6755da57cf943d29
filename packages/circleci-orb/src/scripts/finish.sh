#!/bin/bash
# chainloop/finish: one script for both finish steps; PARAM_STATUS is success in the on_success step and failed in
# the on_fail step, which is all CircleCI tells a step about the job (cancelled jobs run neither).
set -eo pipefail

is_true() { [ "$1" = 1 ] || [ "$1" = true ]; }
if ! command -v chainloop > /dev/null; then
  echo "chainloop/finish: chainloop command not found: run chainloop/install earlier in this job" >&2
  exit 1
fi
# The token stays in the variable that holds it: only its name is a parameter, so it never reaches a command line.
if [ "$PARAM_TOKEN" != CHAINLOOP_TOKEN ]; then export CHAINLOOP_TOKEN="${!PARAM_TOKEN:-}"; fi
if [ -z "${CHAINLOOP_TOKEN:-}${CHAINLOOP_ROBOT_ACCOUNT:-}" ]; then
  echo "chainloop/finish: token variable $PARAM_TOKEN is empty: put the robot account token in a project environment variable or context named $PARAM_TOKEN, or set the token parameter to the variable that holds it" >&2
  exit 1
fi
if [ -n "$PARAM_CONTROL_PLANE" ]; then export CHAINLOOP_CONTROL_PLANE_API="$PARAM_CONTROL_PLANE"; fi

# $VAR references in string parameters are expanded as CircleCI orbs do, with `circleci env subst` (every job has
# the circleci CLI; elsewhere the text is used as written).
expand() {
  if [ -n "$1" ] && command -v circleci > /dev/null; then circleci env subst "$1"; else printf '%s' "$1"; fi
}
PARAM_ANNOTATIONS="$(expand "$PARAM_ANNOTATIONS")"
PARAM_TEST_RESULTS="$(expand "$PARAM_TEST_RESULTS")"

# test_results is the path the job gives store_test_results: a folder whose reports (in it and its subfolders) CircleCI
# collects, or one report file. The same reports are attested before the push, named after their files and with their
# kinds detected, so a job does not repeat them as add lines. A folder with no report is the CLI's warning, not an error.
add_test_results() {
  local path="${PARAM_TEST_RESULTS/#\~/$HOME}" pattern
  # The path is literal: its glob characters (a folder named "reports (unit)") are escaped for --from-glob.
  pattern="$(printf '%s' "${path%/}" | sed 's/[][*?{}()!+@\\]/\\&/g')"
  if [ -d "$path" ]; then pattern="$pattern/**/*.xml"; fi
  if chainloop attestation add --from-glob "$pattern"; then return 0; fi
  if is_true "$PARAM_GRACEFUL_EXIT"; then
    echo "chainloop/finish: warning: the test reports in $PARAM_TEST_RESULTS were not added (the error is above); pushing without them because of graceful_exit" >&2
    return 0
  fi
  echo "chainloop/finish: the test reports in $PARAM_TEST_RESULTS were not added (the error is above): fix the reports, or clear test_results to push without them" >&2
  return 1
}

args=(attestation finish --ci circleci --status "$PARAM_STATUS")
if [ "$PARAM_STATUS" = success ]; then
  # The key and its password stay in their variables: the CLI reads the key with env://NAME.
  if [ -z "${!PARAM_KEY:-}" ]; then
    echo "chainloop/finish: signing key variable $PARAM_KEY is empty: put the cosign private key (PEM text) in a project environment variable or context named $PARAM_KEY, or set the key parameter to the variable that holds it" >&2
    exit 1
  fi
  if [ "$PARAM_PASSWORD" != CHAINLOOP_SIGNING_PASSWORD ]; then export CHAINLOOP_SIGNING_PASSWORD="${!PARAM_PASSWORD:-}"; fi
  if [ -n "$PARAM_TEST_RESULTS" ]; then add_test_results; fi
  args+=(--key "env://$PARAM_KEY")
  while IFS= read -r annotation; do
    if [ -n "${annotation// /}" ]; then args+=(--annotation "$annotation"); fi
  done < <(printf '%s\n' "$PARAM_ANNOTATIONS")
  if [ -n "$PARAM_BUNDLE" ]; then args+=(--bundle "${PARAM_BUNDLE/#\~/$HOME}"); fi
elif [ -n "$PARAM_REASON" ]; then
  args+=(--reason "$PARAM_REASON")
fi
if is_true "$PARAM_GRACEFUL_EXIT"; then args+=(--graceful-exit); fi

chainloop "${args[@]}"
