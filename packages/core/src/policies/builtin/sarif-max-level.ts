/**
 * Built-in policy: no SARIF result at or above `level` (note < warning < error). A result without a level counts
 * as a warning, SARIF's default.
 */
export const sarifMaxLevel = String.raw`apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: sarif-max-level
  description: The SARIF report has no result at or above a level
  annotations:
    category: code-scanning
spec:
  inputs:
    - name: level
      description: The lowest level that is a violation (note, warning or error)
      default: error
  policies:
    - kind: SARIF
      cel:
        rules:
          - name: known-level
            expression: >-
              args.level in ["note", "warning", "error"]
            messageExpression: '"input level is \"" + args.level + "\": expected note, warning or error"'
          - name: no-result-at-level
            violations: >-
              cel.bind(rank, {"none": 0, "note": 1, "warning": 2, "error": 3},
                !(args.level in rank) ? [] :
                input.runs.map(r, (has(r.results) ? r.results : [])
                  .filter(x, rank[has(x.level) ? x.level : "warning"] >= rank[args.level])
                  .map(x, {"subject": r.tool.driver.name + " " + (has(x.ruleId) ? x.ruleId : "result"),
                    "message": (has(x.level) ? x.level : "warning") + " " + (has(x.ruleId) ? x.ruleId : "") +
                      (has(x.message) && has(x.message.text) ? ": " + x.message.text : "")})).flatten())
`;
