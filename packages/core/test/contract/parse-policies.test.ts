import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { parseContract, parsePolicyDocument } from '@chainloop-ts/core/contract';

const CONTRACTS = join(import.meta.dirname, '../../../../fixtures/vectors/contracts');
const QUICK = { timeout: 10_000 };

/** A v2 contract with one SBOM and one image material, plus the given `spec` lines (indented 2). */
function contract(specLines: string): string {
  return `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: build
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
    - type: CONTAINER_IMAGE
      name: image
${specLines}`;
}

const EMBEDDED_SBOM_POLICY = `
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: sbom-components
          spec:
            inputs:
              - name: min
                default: "1"
            policies:
              - kind: SBOM_CYCLONEDX_JSON
                cel:
                  rules:
                    - expression: size(input.components) >= int(args.min)
                      message: too few components`;

function refusal(text: string, code = 'CONTRACT_INVALID', parse: (text: string) => unknown = parseContract): string {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ChainloopError, `expected ChainloopError, got ${error}`);
    assert.equal(error.code, code);
    assert.ok(!error.message.includes('\n'), `message must be one line: ${error.message}`);
    return error.message;
  }
  assert.fail('accepted');
}

describe('contract policy attachments', () => {
  it('reads the refs and groups of the real contract_v2.yaml', QUICK, () => {
    const parsed = parseContract(readFileSync(join(CONTRACTS, 'contract_v2.yaml'), 'utf8'));
    assert.deepEqual(
      parsed.policies?.materials.map((a) => a.policy),
      [
        { ref: { ref: 'file://policy1.yaml', scheme: 'file', name: 'policy1.yaml' } },
        { ref: { ref: 'file://policy2.yaml', scheme: 'file', name: 'policy2.yaml' } },
      ],
    );
    assert.deepEqual(parsed.policies?.attestation[0].policy, {
      ref: { ref: 'file://attestation-policy.yaml', scheme: 'file', name: 'attestation-policy.yaml' },
    });
    assert.deepEqual(parsed.policyGroups, [
      {
        path: 'spec.policyGroups[0]',
        ref: { ref: 'sbom-quality', scheme: 'chainloop', name: 'sbom-quality' },
        with: { user_name: 'test-user' },
        skip: ['policy-to-skip'],
      },
    ]);
  });

  it('leaves policies out of contracts without any', QUICK, () => {
    const parsed = parseContract(readFileSync(join(CONTRACTS, 'contract_v1.yaml'), 'utf8'));
    assert.equal(parsed.policies, undefined);
    assert.equal(parsed.policyGroups, undefined);
  });

  it('reads an embedded policy with selector, with and gate', QUICK, () => {
    const parsed = parseContract(
      contract(`  policies:
    materials:
      - selector:
          name: sbom
        with:
          min: "3"
        gate: true
        requirements: [acme/slsa/build-l1@v1]
        embedded:${EMBEDDED_SBOM_POLICY}
`),
    );
    const [attachment] = parsed.policies?.materials ?? [];
    assert.equal(attachment.path, 'spec.policies.materials[0]');
    assert.deepEqual(attachment.selector, { name: 'sbom', matchMode: 'EXACT' });
    assert.deepEqual(attachment.with, { min: '3' });
    assert.equal(attachment.gate, true);
    assert.equal(attachment.disabled, false);
    assert.deepEqual(attachment.requirements, ['acme/slsa/build-l1@v1']);
    assert.ok('embedded' in attachment.policy);
    const policy = attachment.policy.embedded;
    assert.equal(policy.name, 'sbom-components');
    assert.deepEqual(policy.inputs, [{ name: 'min', required: false, default: '1' }]);
    assert.deepEqual(policy.policies, [
      {
        kind: 'SBOM_CYCLONEDX_JSON',
        phases: [],
        source: {
          engine: 'cel',
          skip: [],
          rules: [{ expression: 'size(input.components) >= int(args.min)', message: 'too few components' }],
        },
      },
    ]);
  });

  it(
    'reads every ref form: bare, chainloop://, builtin://, file://, @revision, @digest; unset gate stays unset',
    QUICK,
    () => {
      const digest = 'a'.repeat(64);
      const parsed = parseContract(
        contract(`  policies:
    materials:
      - ref: sbom-licences
      - ref: sbom-licences@3
      - ref: chainloop://acme/sbom-licences@sha256:${digest}
      - ref: builtin://sbom-min-components
        selector: { name: sb, matchMode: PREFIX }
      - ref: file://./policies/mine.yaml
    attestation:
      - ref: builtin://runner-allowed
        gate: false
`),
      );
      assert.deepEqual(
        parsed.policies?.materials.map((a) => ('ref' in a.policy ? a.policy.ref : undefined)),
        [
          { ref: 'sbom-licences', scheme: 'chainloop', name: 'sbom-licences' },
          { ref: 'sbom-licences@3', scheme: 'chainloop', name: 'sbom-licences', revision: 3 },
          {
            ref: `chainloop://acme/sbom-licences@sha256:${digest}`,
            scheme: 'chainloop',
            name: 'sbom-licences',
            digest: `sha256:${digest}`,
          },
          { ref: 'builtin://sbom-min-components', scheme: 'builtin', name: 'sbom-min-components' },
          { ref: 'file://./policies/mine.yaml', scheme: 'file', name: './policies/mine.yaml' },
        ],
      );
      assert.equal(parsed.policies?.materials[0].gate, undefined);
      assert.deepEqual(parsed.policies?.materials[3].selector, { name: 'sb', matchMode: 'PREFIX' });
      assert.equal(parsed.policies?.attestation[0].gate, false);
    },
  );

  const bad: [string, string, RegExp][] = [
    [
      'neither ref nor embedded',
      `  policies:\n    materials:\n      - gate: true\n`,
      /spec\.policies\.materials\[0\]: expected ref .* or embedded/,
    ],
    [
      'both ref and embedded',
      `  policies:\n    materials:\n      - ref: a\n        embedded:${EMBEDDED_SBOM_POLICY}\n`,
      /spec\.policies\.materials\[0\]: give either ref or embedded, not both/,
    ],
    [
      'a revision that is not a number',
      `  policies:\n    materials:\n      - ref: licences@latest\n`,
      /spec\.policies\.materials\[0\]\.ref: "licences@latest": "@latest" is neither a revision/,
    ],
    [
      'a ref that is not a policy name',
      `  policies:\n    materials:\n      - ref: Licences\n`,
      /spec\.policies\.materials\[0\]\.ref: "Licences": "Licences" is not a policy name/,
    ],
    [
      'an https ref',
      `  policies:\n    materials:\n      - ref: https://example.com/p.yaml\n`,
      /materials\[0\]\.ref: https:\/\/example\.com\/p\.yaml: policies over https are not supported yet/,
    ],
    [
      'a selector naming no material',
      `  policies:\n    materials:\n      - ref: a\n        selector:\n          name: sbomm\n`,
      /spec\.policies\.materials\[0\]\.selector\.name: "sbomm" names no material of this contract \(materials: sbom, image\)/,
    ],
    [
      'an unknown match mode',
      `  policies:\n    materials:\n      - ref: a\n        selector: { name: sbom, matchMode: REGEX }\n`,
      /selector\.matchMode: unknown match mode "REGEX"/,
    ],
    [
      'a selector on an attestation policy',
      `  policies:\n    attestation:\n      - ref: a\n        selector: { name: sbom }\n`,
      /spec\.policies\.attestation\[0\]\.selector: an attestation policy applies to the whole attestation/,
    ],
    [
      'a gate that is not a boolean',
      `  policies:\n    materials:\n      - ref: a\n        gate: "yes"\n`,
      /spec\.policies\.materials\[0\]\.gate: expected true or false, got string "yes"/,
    ],
    [
      'a with value that is not a string',
      `  policies:\n    materials:\n      - ref: a\n        with:\n          min: 3\n`,
      /spec\.policies\.materials\[0\]\.with\.min: expected a string, got number 3 \(quote the value\)/,
    ],
    [
      'a with naming no input of the embedded policy',
      `  policies:\n    materials:\n      - with: { minimum: "2" }\n        embedded:${EMBEDDED_SBOM_POLICY}\n`,
      /spec\.policies\.materials\[0\]\.with\.minimum: policy "sbom-components" has no input "minimum" \(inputs: min\)/,
    ],
    [
      'a bad requirement',
      `  policies:\n    materials:\n      - ref: a\n        requirements: ["slsa"]\n`,
      /requirements\[0\]: "slsa" is not a requirement reference/,
    ],
    [
      'a group without ref',
      `  policyGroups:\n    - with: { a: b }\n`,
      /spec\.policyGroups\[0\]\.ref: required: the name of a policy group/,
    ],
    [
      'a group skip that is not a list',
      `  policyGroups:\n    - ref: g\n      skip: one\n`,
      /spec\.policyGroups\[0\]\.skip: expected a list, got string "one"/,
    ],
  ];
  for (const [what, spec, expected] of bad) {
    it(`refuses ${what}, naming the path and the reason`, QUICK, () => {
      assert.match(refusal(contract(spec)), expected);
    });
  }

  it('refuses a bad embedded policy with its path inside the contract', QUICK, () => {
    const message = refusal(
      contract(`  policies:
    materials:
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata: { name: p }
          spec:
            policies:
              - kind: SBOM_CYCLONEDX_JSON
                embedded: "package main"
`),
    );
    assert.match(
      message,
      /^invalid contract: spec\.policies\.materials\[0\]\.embedded\.spec\.policies\[0\]\.embedded: Rego policies need OPA/,
    );
    assert.match(message, /write the rules in CEL under "cel:"/);
  });
});

describe('policy documents', () => {
  const policy = (spec: string) => `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: p
spec:
${spec}`;
  const bad: [string, string, RegExp][] = [
    ['no scripts', `  inputs: []\n`, /^invalid policy: spec\.policies: at least one script is required/],
    [
      'a script without rules',
      `  policies:\n    - kind: SARIF\n`,
      /spec\.policies\[0\]: no rules: expected cel with a list of rules/,
    ],
    [
      'an empty rule list',
      `  policies:\n    - kind: SARIF\n      cel:\n        rules: []\n`,
      /spec\.policies\[0\]\.cel\.rules: at least one rule is required/,
    ],
    [
      'a rule with expression and violations',
      `  policies:\n    - cel:\n        rules:\n          - expression: "true"\n            message: m\n            violations: "[]"\n`,
      /spec\.policies\[0\]\.cel\.rules\[0\]: give either expression .* or violations/,
    ],
    [
      'an expression without a message',
      `  policies:\n    - cel:\n        rules:\n          - expression: "true"\n`,
      /spec\.policies\[0\]\.cel\.rules\[0\]\.message: required with expression/,
    ],
    [
      'an unknown kind',
      `  policies:\n    - kind: SBOM\n      cel:\n        rules:\n          - violations: "[]"\n`,
      /spec\.policies\[0\]\.kind: unknown kind "SBOM"/,
    ],
    [
      'an ARTIFACT kind',
      `  policies:\n    - kind: ARTIFACT\n      cel:\n        rules:\n          - violations: "[]"\n`,
      /spec\.policies\[0\]\.kind: ARTIFACT has no content a rule could read/,
    ],
    [
      'a required input with a default',
      `  inputs:\n    - name: x\n      required: true\n      default: "1"\n  policies:\n    - cel:\n        rules:\n          - violations: "[]"\n`,
      /spec\.inputs\[0\]: input "x" cannot be required and have a default/,
    ],
    [
      'an unknown phase',
      `  policies:\n    - kind: ATTESTATION\n      attestationPhases: [PULL]\n      cel:\n        rules:\n          - violations: "[]"\n`,
      /spec\.policies\[0\]\.attestationPhases\[0\]: unknown phase "PULL" \(known: INIT, PUSH\)/,
    ],
    [
      'a skip without a reason',
      `  policies:\n    - cel:\n        skip:\n          - expression: "true"\n        rules:\n          - violations: "[]"\n`,
      /spec\.policies\[0\]\.cel\.skip\[0\]\.reason: required/,
    ],
  ];
  for (const [what, spec, expected] of bad) {
    it(`refuses ${what}`, QUICK, () => {
      assert.match(refusal(policy(spec), 'POLICY_INVALID', parsePolicyDocument), expected);
    });
  }

  it('refuses a document of another kind or API version', QUICK, () => {
    assert.match(
      refusal('apiVersion: chainloop.dev/v1\nkind: Contract\n', 'POLICY_INVALID', parsePolicyDocument),
      /^invalid policy: kind: "Contract" is not supported \(expected Policy\)/,
    );
    assert.match(
      refusal('apiVersion: v1\nkind: Policy\n', 'POLICY_INVALID', parsePolicyDocument),
      /^invalid policy: apiVersion: "v1" is not supported \(expected chainloop\.dev\/v1 or workflowcontract\.chainloop\.dev\/v1\)/,
    );
  });
});
