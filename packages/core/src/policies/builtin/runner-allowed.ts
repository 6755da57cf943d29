/** Built-in policy: the attestation was made on one of `runners` (runner types such as GITHUB_ACTION). */
export const runnerAllowed = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: runner-allowed
  description: The attestation was made on an allowed CI runner
  annotations:
    category: provenance
spec:
  inputs:
    - name: runners
      description: Allowed runner types, comma- or newline-separated (GITHUB_ACTION, GITLAB_PIPELINE, ...)
      required: true
  policies:
    - kind: ATTESTATION
      cel:
        rules:
          - name: allowed-runner
            expression: >-
              has(predicate.runnerType) && predicate.runnerType in values(args.runners)
            messageExpression: >-
              "the attestation was made on " + (has(predicate.runnerType) ? predicate.runnerType : "no runner") +
              ", not on an allowed runner (" + values(args.runners).join(", ") + ")"
`;
