import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContract } from '@chainloop-ts/core/contract';
import { checkContractPolicies } from '@chainloop-ts/core/policies';

const QUICK = { timeout: 30_000 };

/** A contract attaching `materials` and `attestation` policies (YAML list items, indented for spec.policies). */
const contract = (materials: string, attestation = '') => `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: checked
spec:
  materials:
    - type: STRING
      name: build-ref
  policies:
    materials:
${materials}
    attestation:
${attestation || '      - ref: builtin://runner-allowed\n        with:\n          runners: GITHUB_ACTION'}
`;

const embedded = (expression: string) => `      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: tag
          spec:
            policies:
              - kind: STRING
                cel:
                  skip:
                    - expression: ${expression}
                      reason: never
                  rules:
                    - expression: input.value != ""
                      message: empty`;

const check = (text: string) => checkContractPolicies(parseContract(text));

describe('checkContractPolicies: what fails in every CI job is refused when the contract is written', () => {
  it(
    'embedded policies that compile, built-in refs that exist, stored and file refs (resolved in CI) pass',
    QUICK,
    () => {
      assert.doesNotThrow(() =>
        check(
          contract(
            `${embedded('input.value == "skip"')}\n      - ref: builtin://junit-no-failures\n      - ref: some-stored-policy@3\n      - ref: file://policies/local.yaml`,
          ),
        ),
      );
    },
  );

  it(
    'an embedded rule that does not compile: CONTRACT_INVALID naming the expression inside the contract',
    QUICK,
    () => {
      assert.throws(() => check(contract(embedded('input.value =='))), {
        code: 'CONTRACT_INVALID',
        message:
          /^invalid contract: spec\.policies\.materials\[0\]\.embedded\.spec\.policies\[0\]\.cel\.skip\[0\]\.expression: not valid CEL: /,
      });
      assert.throws(() => check(contract('      - ref: builtin://junit-no-failures', embedded(`'"not a bool"'`))), {
        code: 'CONTRACT_INVALID',
        message:
          /^invalid contract: spec\.policies\.attestation\[0\]\.embedded\.spec\.policies\[0\]\.cel\.skip\[0\]\.expression: yields string, expected bool$/,
      });
    },
  );

  it('a builtin:// ref naming no built-in policy, or with a revision: CONTRACT_INVALID naming the ref', QUICK, () => {
    assert.throws(() => check(contract('      - ref: builtin://junit-no-failure')), {
      code: 'CONTRACT_INVALID',
      message:
        /^invalid contract: spec\.policies\.materials\[0\]\.ref: "builtin:\/\/junit-no-failure" names no built-in policy \(built-in: sbom-min-components, .*junit-no-failures.*\)$/,
    });
    assert.throws(() => check(contract('      - ref: builtin://junit-no-failures@1')), {
      code: 'CONTRACT_INVALID',
      message: /^invalid contract: spec\.policies\.materials\[0\]\.ref: .*built-in policies have no revisions/,
    });
  });
});
