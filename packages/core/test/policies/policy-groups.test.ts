import '../hang-guard';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { parseContract, parsePolicyGroupDocument } from '@chainloop-ts/core/contract';
import {
  contractPolicyAttachments,
  createPolicyResolver,
  evaluateAttestationPolicies,
  evaluateMaterialPolicies,
  type PolicyMaterial,
} from '@chainloop-ts/core/policies';
import { fixtureDir, VECTORS } from '../materials/fixture-dir';

const QUICK = { timeout: 30_000 };

/** The shape of Chainloop's own `sbom-quality` group (app/cli/pkg/action/testdata/policy_group.yaml), on built-ins. */
const SBOM_QUALITY = `apiVersion: chainloop.dev/v1
kind: PolicyGroup
metadata:
  name: sbom-quality
  description: SBOM-related policies
spec:
  inputs:
    - name: sbom_name
      default: sbom
    - name: banned
      required: true
  policies:
    attestation:
      - ref: builtin://runner-allowed
        with:
          runners: GITHUB_ACTION
    materials:
      - name: "{{ inputs.sbom_name }}"
        type: SBOM_CYCLONEDX_JSON
        policies:
          - ref: builtin://sbom-min-components
            with:
              min_components: "300"
          - ref: builtin://sbom-banned-licenses
            gate: false
            with:
              licenses: "{{inputs.banned}}"
      - type: CONTAINER_IMAGE
        policies:
          - ref: builtin://image-allowed-registry
            with:
              registries: ghcr.io
`;

function refusal(text: string): string {
  try {
    parsePolicyGroupDocument(text);
  } catch (error) {
    assert.ok(error instanceof ChainloopError);
    assert.equal(error.code, 'POLICY_INVALID');
    return error.message;
  }
  assert.fail('accepted');
}

describe('policy groups', () => {
  it('parses a group: inputs, named and typed materials with their policies, attestation policies', QUICK, () => {
    const group = parsePolicyGroupDocument(SBOM_QUALITY);
    assert.equal(group.name, 'sbom-quality');
    assert.deepEqual(
      group.materials.map((m) => `${m.name}|${m.type}|${m.policies.length}`),
      ['{{ inputs.sbom_name }}|SBOM_CYCLONEDX_JSON|2', '|CONTAINER_IMAGE|1'],
    );
    assert.equal(group.attestation.length, 1);
    assert.deepEqual(
      group.inputs.map((i) => i.name),
      ['sbom_name', 'banned'],
    );
  });

  it('refuses bad groups naming the path and the reason', QUICK, () => {
    const head = 'apiVersion: chainloop.dev/v1\nkind: PolicyGroup\nmetadata:\n  name: g\nspec:\n';
    assert.match(refusal(`${head}  inputs: []\n`), /^invalid policy: spec\.policies: required/);
    assert.match(refusal(`${head}  policies: {}\n`), /spec\.policies: the group has no policies/);
    assert.match(
      refusal(`${head}  policies:\n    materials:\n      - policies: []\n`),
      /spec\.policies\.materials\[0\]: a group material needs a name or a type/,
    );
    assert.match(
      refusal(`${head}  policies:\n    materials:\n      - name: SBOM\n        type: SBOM_CYCLONEDX_JSON\n`),
      /spec\.policies\.materials\[0\]\.name: "SBOM" is not a material name/,
    );
    assert.match(
      refusal(`${head}  policies:\n    attestation:\n      - ref: a@x\n`),
      /spec\.policies\.attestation\[0\]\.ref: "a@x": "@x" is neither a revision/,
    );
  });

  it(
    'a contract attaching a file:// group gets its policies, filled from its inputs and recorded under groupReference',
    QUICK,
    async () => {
      const { dir, write } = fixtureDir();
      write('sbom-quality.yaml', SBOM_QUALITY);
      const contract = parseContract(`apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: c
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: bom
  policyGroups:
    - ref: file://sbom-quality.yaml
      with:
        sbom_name: bom
        banned: BSD-3-Clause
      skip: [image-allowed-registry]
`);
      const resolver = createPolicyResolver({ cwd: dir });
      const attachments = await contractPolicyAttachments(contract, resolver);
      assert.deepEqual(attachments.declaredMaterials, [{ name: 'bom', type: 'SBOM_CYCLONEDX_JSON', optional: false }]);

      const sbom: PolicyMaterial = { name: 'bom', kind: 'SBOM_CYCLONEDX_JSON', digest: 'sha256:x', annotations: {} };
      const evaluations = await evaluateMaterialPolicies(
        attachments.materials,
        sbom,
        join(VECTORS, 'sbom.cyclonedx-1.5.json'),
        {
          resolver,
          defaultGate: true,
        },
      );
      assert.deepEqual(
        evaluations.map(
          (e) => `${e.name} gate=${e.gate} violations=${e.violations.length} with=${JSON.stringify(e.with)}`,
        ),
        [
          'sbom-min-components gate=true violations=1 with={"min_components":"300"}',
          'sbom-banned-licenses gate=false violations=4 with={"licenses":"BSD-3-Clause"}',
        ],
      );
      assert.deepEqual(evaluations[0].groupReference, {
        name: 'sbom-quality',
        uri: `file://${join(dir, 'sbom-quality.yaml')}`,
        digest: evaluations[0].groupReference?.digest,
      });
      assert.match(evaluations[0].groupReference?.digest.sha256 ?? '', /^[0-9a-f]{64}$/);
      // The group's material is named "bom" through its input: a material of another name gets none of its policies.
      assert.deepEqual(
        await evaluateMaterialPolicies(
          attachments.materials,
          { ...sbom, name: 'other' },
          join(VECTORS, 'sbom.cyclonedx-1.5.json'),
          { resolver },
        ),
        [],
      );
      // The image policy is skipped by the attachment.
      const image: PolicyMaterial = {
        name: 'img',
        kind: 'CONTAINER_IMAGE',
        image: { name: 'index.docker.io/bitnami/nginx' },
        digest: 'sha256:y',
        annotations: {},
      };
      assert.deepEqual(await evaluateMaterialPolicies(attachments.materials, image, undefined, { resolver }), []);

      const [runner] = await evaluateAttestationPolicies(
        attachments.attestation,
        { predicate: { runnerType: 'GITLAB_PIPELINE' } },
        'PUSH',
        { resolver },
      );
      assert.equal(runner.name, 'runner-allowed');
      assert.equal(runner.groupReference?.name, 'sbom-quality');
      assert.equal(runner.violations.length, 1);
    },
  );

  it('a group left without its required input, or naming an unknown one, is refused', QUICK, async () => {
    const { dir, write } = fixtureDir();
    write('sbom-quality.yaml', SBOM_QUALITY);
    write('typo.yaml', SBOM_QUALITY.replace('{{inputs.banned}}', '{{ inputs.baned }}'));
    const attach = (file: string, withLines: string) =>
      contractPolicyAttachments(
        parseContract(`apiVersion: chainloop.dev/v1
kind: Contract
metadata: { name: c }
spec:
  policyGroups:
    - ref: file://${file}
      with: {${withLines}}
`),
        createPolicyResolver({ cwd: dir }),
      );
    await assert.rejects(attach('sbom-quality.yaml', ''), {
      code: 'POLICY_INPUT_MISSING',
      message:
        'policy group "sbom-quality" (spec.policyGroups[0]) requires input "banned": give it under with: in the contract',
    });
    await assert.rejects(attach('typo.yaml', 'banned: MIT'), {
      code: 'POLICY_GROUP_INVALID',
      message:
        'policy group "sbom-quality" (spec.policyGroups[0]): {{ inputs.baned }} names no input of the group (inputs: sbom_name, banned): fix the group',
    });
    await assert.rejects(attach('missing.yaml', ''), {
      message: /^policy group file:\/\/missing\.yaml \(spec\.policyGroups\[0\]\): cannot read /,
    });
  });
});
