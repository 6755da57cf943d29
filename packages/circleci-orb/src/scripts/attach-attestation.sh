#!/bin/bash
# chainloop/attach-attestation: exports the attestation ID chainloop/init persisted to the workspace.
set -eo pipefail

workspace_root="${PARAM_WORKSPACE_ROOT/#\~/$HOME}"
id_file="$workspace_root/chainloop-attestation.env"
if [ ! -f "$id_file" ]; then
  echo "chainloop/attach-attestation: $id_file not found: run chainloop/init with remote_state: true in a job this one requires, with the same workspace_root" >&2
  exit 1
fi
id="$(sed -n 's/^CHAINLOOP_ATTESTATION_ID=//p' "$id_file" | tail -n 1)"
if [ -z "$id" ]; then
  echo "chainloop/attach-attestation: $id_file holds no attestation ID: chainloop/init failed in an earlier job (graceful_exit), see its log" >&2
  exit 1
fi
# The ID goes into $BASH_ENV, which bash evaluates: only accept the characters an ID is made of.
if ! [[ "$id" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "chainloop/attach-attestation: $id_file holds an invalid attestation ID: re-run the workflow from the job that ran chainloop/init" >&2
  exit 1
fi
echo "export CHAINLOOP_ATTESTATION_ID=\"$id\"" >> "$BASH_ENV"
echo "Continuing attestation $id"
