import '../hang-guard';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { parseContract } from '@chainloop-ts/core/contract';
import {
  createPolicyResolver,
  evaluateMaterialPolicies,
  type PolicyEvaluationOptions,
  type PolicyMaterial,
} from '@chainloop-ts/core/policies';
import { VECTORS } from '../materials/fixture-dir';

const QUICK = { timeout: 30_000 };
const SBOM: PolicyMaterial = { name: 'sbom', kind: 'SBOM_CYCLONEDX_JSON', digest: 'sha256:test', annotations: {} };
const SBOM_PATH = join(VECTORS, 'sbom.cyclonedx-1.5.json');
const options: PolicyEvaluationOptions = { resolver: createPolicyResolver({ cwd: VECTORS }) };

/** A contract embedding one SBOM policy whose CEL script is `cel` (lines indented for the `cel:` mapping). */
function embedded(cel: string) {
  return parseContract(`apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: c
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
  policies:
    materials:
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: probe
          spec:
            policies:
              - kind: SBOM_CYCLONEDX_JSON
                cel:
${cel}
`).policies!.materials;
}

async function failure(cel: string, timeoutMs?: number): Promise<ChainloopError> {
  try {
    await evaluateMaterialPolicies(embedded(cel), SBOM, SBOM_PATH, { ...options, timeoutMs });
  } catch (error) {
    assert.ok(error instanceof ChainloopError, `expected ChainloopError, got ${error}`);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    return error;
  }
  assert.fail('evaluated');
}

describe('CEL engine', () => {
  it(
    'a rule that throws is an evaluation error naming the policy, the material, the rule and the fix',
    QUICK,
    async () => {
      const error = await failure(`                  rules:
                    - name: licences
                      expression: size(input.licences) == 0
                      message: m`);
      assert.equal(error.code, 'POLICY_EVALUATION_FAILED');
      assert.equal(
        error.message,
        'policy "probe" could not be evaluated on material "sbom": rules[0] "licences": No such key: licences: fix the rule, or guard optional fields with has()',
      );
      // Nothing is left broken: the next evaluation runs.
      const [ok] = await evaluateMaterialPolicies(
        embedded(`                  rules:
                    - expression: size(input.components) == 250
                      message: m`),
        SBOM,
        SBOM_PATH,
        options,
      );
      assert.deepEqual(ok.violations, []);
    },
  );

  it('a rule too costly for its input stops at the time budget with an evaluation error', QUICK, async () => {
    // 250 components cubed: millions of steps, seconds of work, for a rule that looks innocent.
    const started = Date.now();
    const error = await failure(
      `                  rules:
                    - name: cubic
                      expression: >-
                        input.components.all(a, input.components.all(b,
                          !input.components.exists(c, c.name == a.name + b.name)))
                      message: m`,
      150,
    );
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'POLICY_EVALUATION_FAILED');
    assert.equal(
      error.message,
      'policy "probe" could not be evaluated on material "sbom": it ran past its 150 ms budget (at rules[0] "cubic"): make the rule cheaper, e.g. filter before map, or avoid a macro inside a macro',
    );
    assert.ok(elapsed < 5_000, `the budget must bite: took ${elapsed} ms`);
    // The same rule with the default budget is not cut short by an earlier timeout.
    const [ok] = await evaluateMaterialPolicies(
      embedded(`                  rules:
                    - expression: input.components.exists(c, c.name == "stdlib")
                      message: m`),
      SBOM,
      SBOM_PATH,
      options,
    );
    assert.deepEqual(ok.violations, []);
  });

  it('a rule yielding the wrong shape is an evaluation error saying what it yielded', QUICK, async () => {
    const notBoolean = await failure(`                  rules:
                    - expression: input.version
                      message: m`);
    assert.match(
      notBoolean.message,
      /rules\[0\]: the expression yielded number 1, expected true or false: fix the rule so it yields what its field expects$/,
    );
    const badEntry = await failure(`                  rules:
                    - violations: input.components.map(c, 1)`);
    assert.match(
      badEntry.message,
      /rules\[0\]: violations\[0\] is int 1, expected a message string or a map with a "message" string/,
    );
  });

  it('refuses rules that do not compile, naming where they are', QUICK, async () => {
    const syntax = await failure(`                  rules:
                    - expression: size(input.components >=
                      message: m`);
    assert.equal(syntax.code, 'POLICY_INVALID');
    assert.match(
      syntax.message,
      /^invalid policy: spec\.policies\.materials\[0\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL: /,
    );
    const typed = await failure(`                  rules:
                    - expression: '"yes"'
                      message: m`);
    assert.match(typed.message, /cel\.rules\[0\]\.expression: yields string, expected bool$/);
    const unknown = await failure(`                  rules:
                    - expression: sbom.components == 1
                      message: m`);
    assert.match(unknown.message, /cel\.rules\[0\]\.expression: not valid CEL: Unknown variable: sbom/);
  });

  it('violations carry their own subject and message; messageExpression builds the message', QUICK, async () => {
    const [evaluation] = await evaluateMaterialPolicies(
      embedded(`                  rules:
                    - violations: >-
                        input.components.filter(c, has(c.licenses)).map(c,
                          {"subject": c.name, "message": c.name + " declares a licence"})
                    - expression: size(input.components) < 10
                      messageExpression: '"too many components: " + string(size(input.components))'
                    - violations: '["plain message"]'`),
      SBOM,
      SBOM_PATH,
      options,
    );
    assert.equal(evaluation.violations.length, 6);
    assert.deepEqual(evaluation.violations[0], { subject: 'stdlib', message: 'stdlib declares a licence' });
    assert.deepEqual(evaluation.violations.slice(4), [
      { subject: 'probe', message: 'too many components: 250' },
      { subject: 'probe', message: 'plain message' },
    ]);
    assert.equal(evaluation.skipped, false);
  });

  it('a skip condition records the evaluation as skipped, with its reason and no violations', QUICK, async () => {
    const [evaluation] = await evaluateMaterialPolicies(
      embedded(`                  skip:
                    - expression: input.specVersion == "1.5"
                      reason: CycloneDX 1.5 is checked elsewhere
                  rules:
                    - violations: '["never reported"]'`),
      SBOM,
      SBOM_PATH,
      options,
    );
    assert.equal(evaluation.skipped, true);
    assert.deepEqual(evaluation.skipReasons, ['CycloneDX 1.5 is checked elsewhere']);
    assert.deepEqual(evaluation.violations, []);
  });
});
