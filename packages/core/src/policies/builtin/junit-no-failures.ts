/** Built-in policy: no test case of the JUnit report (or archive of reports) failed or errored. */
export const junitNoFailures = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: junit-no-failures
  description: No test case of the JUnit report failed or errored
  annotations:
    category: tests
spec:
  policies:
    - kind: JUNIT_XML
      cel:
        rules:
          - name: no-failed-case
            violations: >-
              input.cases.filter(c, c.status == "failed" || c.status == "error")
                .map(c, {"subject": c.suite + " > " + c.name,
                  "message": "test " + c.suite + " > " + c.name + " " + c.status +
                    (has(c.message) ? ": " + c.message : "")})
`;
