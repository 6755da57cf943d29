import '../hang-guard';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import { MATERIAL_KINDS, parseContract } from '@chainloop-ts/core/contract';

const CONTRACTS = join(import.meta.dirname, '../../../../fixtures/vectors/contracts');
const vector = (file: string) => readFileSync(join(CONTRACTS, file), 'utf8');

function refusal(text: string): string {
  try {
    parseContract(text);
  } catch (error) {
    assert.ok(error instanceof ChainloopError, `expected ChainloopError, got ${error}`);
    assert.equal(error.code, 'CONTRACT_INVALID');
    assert.ok(!error.message.includes('\n'), `message must be one line: ${error.message}`);
    return error.message;
  }
  assert.fail('contract was accepted');
}

describe('parseContract on the real vectors', () => {
  it('parses every vector except invalid_contract.yaml', () => {
    const files = readdirSync(CONTRACTS).filter((file) => file !== 'invalid_contract.yaml');
    assert.ok(files.length >= 10);
    for (const file of files) assert.doesNotThrow(() => parseContract(vector(file)), file);
  });

  it('refuses invalid_contract.yaml naming what is wrong', () => {
    const message = refusal(vector('invalid_contract.yaml'));
    assert.match(message, /neither form of contract/);
    assert.match(message, /schemaVersion: v1/);
    assert.match(message, /found keys: this, a, contract/);
  });

  it('reads the v1 form completely', () => {
    const contract = parseContract(vector('contract_v1.yaml'));
    assert.equal(contract.form, 'v1');
    assert.equal(contract.name, undefined);
    assert.equal(contract.runnerType, 'GITHUB_ACTION');
    assert.deepEqual(contract.envAllowList, ['CUSTOM_VAR']);
    assert.deepEqual(contract.annotations, [{ name: 'version', value: 'oss' }]);
    assert.deepEqual(
      contract.materials.map((m) => [m.name, m.type, m.optional, m.output]),
      [
        ['skynet-control-plane', 'CONTAINER_IMAGE', false, true],
        ['rootfs', 'ARTIFACT', false, false],
        ['dockerfile', 'ARTIFACT', true, false],
        ['skynet-sbom', 'SBOM_CYCLONEDX_JSON', false, false],
        ['disclosure', 'OPENVEX', false, false],
        ['static-out', 'SARIF', false, false],
        ['build-ref', 'STRING', false, false],
      ],
    );
    // An annotation without a value must be supplied at add time: kept with an empty value.
    assert.deepEqual(contract.materials[0].annotations, [
      { name: 'component', value: 'control-plane' },
      { name: 'asset', value: '' },
    ]);
  });

  it('reads the v2 form', () => {
    const contract = parseContract(vector('contract_v2.yaml'));
    assert.equal(contract.form, 'v2');
    assert.equal(contract.name, 'test-contract-v2');
    assert.equal(contract.description, 'Test contract in V2 format');
    assert.equal(contract.runnerType, 'GITHUB_ACTION');
    assert.deepEqual(contract.envAllowList, ['CUSTOM_VAR', 'BUILD_NUMBER']);
    assert.deepEqual(contract.annotations, [
      { name: 'version', value: '1.0.0' },
      { name: 'team', value: 'test-team' },
    ]);
    assert.deepEqual(
      contract.materials.map((m) => `${m.name}:${m.type}:${m.optional}`),
      [
        'skynet-control-plane:CONTAINER_IMAGE:false',
        'rootfs:ARTIFACT:false',
        'skynet-sbom:SBOM_CYCLONEDX_JSON:false',
        'build-ref:STRING:true',
      ],
    );
  });

  it('reads JSON of both forms', () => {
    const github = parseContract(vector('empty_github.json'));
    assert.equal(github.form, 'v1');
    assert.equal(github.runnerType, 'GITHUB_ACTION');
    assert.deepEqual(github.materials, []);

    const generic = parseContract(vector('empty_generic_v2.json'));
    assert.equal(generic.form, 'v2');
    assert.equal(generic.name, 'empty-generic-v2');
    assert.equal(generic.runnerType, undefined);

    const annotated = parseContract(vector('with_material_annotations_v2.json'));
    assert.deepEqual(annotated.metadataAnnotations, { withDefaultVal: 'val1' });
    assert.deepEqual(annotated.materials[0].annotations, []);
  });

  it('reads a contract with no runner as unpinned and Jenkins as Jenkins', () => {
    assert.equal(parseContract(vector('empty_generic.yaml')).runnerType, undefined);
    const jenkins = parseContract(vector('jenkins_with_env_vars.yaml'));
    assert.equal(jenkins.runnerType, 'JENKINS_JOB');
    assert.deepEqual(jenkins.envAllowList, ['CUSTOM_VAR_1', 'CUSTOM_VAR_2']);
    const annotated = parseContract(vector('with_material_annotations.yaml'));
    assert.deepEqual(annotated.materials[0].annotations, [{ name: 'withDefaultVal', value: 'val1' }]);
  });
});

describe('parseContract field details', () => {
  it('reads skipUpload in camelCase and snake_case, and enums by number like protojson', () => {
    const contract = parseContract(
      [
        'schemaVersion: v1',
        'materials:',
        '  - {type: ARTIFACT, name: a, skipUpload: true}',
        '  - {type: 4, name: b, skip_upload: true}',
        '  - {type: STRING, name: c}',
        'env_allow_list: [X]',
        'runner: {type: 2}',
      ].join('\n'),
    );
    assert.deepEqual(
      contract.materials.map((m) => [m.name, m.type, m.skipUpload]),
      [
        ['a', 'ARTIFACT', true],
        ['b', 'SBOM_CYCLONEDX_JSON', true],
        ['c', 'STRING', false],
      ],
    );
    assert.deepEqual(contract.envAllowList, ['X']);
    assert.equal(contract.runnerType, 'GITLAB_PIPELINE');
  });

  it('takes the scanner and secret-scan kinds by name and by their proto number', { timeout: 10_000 }, () => {
    // Chainloop's CraftingSchema.Material.MaterialType numbers.
    const kinds: [string, number][] = [
      ['ZAP_DAST_ZIP', 17],
      ['BLACKDUCK_SCA_JSON', 18],
      ['TWISTCLI_SCAN_JSON', 19],
      ['GHAS_CODE_SCAN', 20],
      ['GHAS_SECRET_SCAN', 21],
      ['GHAS_DEPENDENCY_SCAN', 22],
      ['GITLEAKS_JSON', 27],
      ['YELP_DETECT_SECRETS_BASELINE', 33],
      ['SYSINTERNALS_SIGCHECK', 34],
      ['SYSINTERNALS_ACCESSCHK', 35],
      ['OSSF_SCORECARD_JSON', 37],
      ['TRUFFLEHOG_JSON', 40],
      ['CHECKMARX_JSON', 42],
    ];
    const byName = parseContract(
      ['schemaVersion: v1', 'materials:', ...kinds.map(([kind], i) => `  - {type: ${kind}, name: n${i}}`)].join('\n'),
    );
    const byNumber = parseContract(
      ['schemaVersion: v1', 'materials:', ...kinds.map(([, number], i) => `  - {type: ${number}, name: n${i}}`)].join(
        '\n',
      ),
    );
    const names = kinds.map(([kind]) => kind);
    assert.deepEqual(
      byName.materials.map((m) => m.type),
      names,
    );
    assert.deepEqual(
      byNumber.materials.map((m) => m.type),
      names,
    );
  });

  it('treats RUNNER_TYPE_UNSPECIFIED as no pinned CI', () => {
    assert.equal(parseContract('schemaVersion: v1\nrunner: {type: RUNNER_TYPE_UNSPECIFIED}').runnerType, undefined);
  });
});

describe('parseContract refusals', () => {
  const v1 = (materials: string) => `schemaVersion: v1\nmaterials:\n${materials}`;

  it('names the unknown kind, its path and the known kinds', () => {
    const message = refusal(v1('  - {type: ARTIFACT, name: a}\n  - {type: STRING, name: b}\n  - {type: FOO, name: c}'));
    assert.match(
      message,
      /^invalid contract: materials\[2\]\.type: unknown kind "FOO" \(known: STRING, CONTAINER_IMAGE, ARTIFACT/,
    );
  });

  it("accepts every one of Chainloop's 42 material kinds, by name and by its enum number", () => {
    assert.equal(MATERIAL_KINDS.length, 42);
    for (const kind of MATERIAL_KINDS) {
      assert.equal(parseContract(v1(`  - {type: ${kind}, name: m}`)).materials[0].type, kind);
    }
    const byNumber = new Set<string>();
    for (let number = 1; number <= 42; number++) {
      byNumber.add(parseContract(v1(`  - {type: ${number}, name: m}`)).materials[0].type);
    }
    assert.deepEqual([...byNumber].sort(), [...MATERIAL_KINDS].sort());
  });

  it('requires a kind', () => {
    assert.match(refusal(v1('  - {name: c}')), /materials\[0\]\.type: a material kind is required/);
  });

  it('refuses a name that is not a DNS-1123 label', () => {
    assert.match(
      refusal(v1('  - {type: ARTIFACT, name: a}\n  - {type: ARTIFACT, name: b}\n  - {type: ARTIFACT, name: Root FS}')),
      /materials\[2\]\.name: "Root FS" is not a DNS-1123 label/,
    );
    assert.match(refusal(v1('  - {type: ARTIFACT, name: -x}')), /materials\[0\]\.name: "-x" is not a DNS-1123 label/);
    assert.match(refusal(v1('  - {type: ARTIFACT}')), /materials\[0\]\.name: "" is not a DNS-1123 label/);
  });

  it('refuses duplicate material names, pointing at both', () => {
    assert.match(
      refusal(
        v1('  - {type: ARTIFACT, name: rootfs}\n  - {type: STRING, name: ref}\n  - {type: STRING, name: rootfs}'),
      ),
      /materials\[2\]\.name: duplicate material name "rootfs" \(also materials\[0\]\)/,
    );
  });

  it('refuses an unknown runner type', () => {
    assert.match(
      refusal('schemaVersion: v1\nrunner: {type: BAMBOO}'),
      /^invalid contract: runner\.type: unknown runner type "BAMBOO" \(known: GITHUB_ACTION/,
    );
    assert.match(refusal('schemaVersion: v1\nrunner: {}'), /runner\.type: required/);
  });

  it('uses spec. paths for the v2 form', () => {
    const text = `apiVersion: chainloop.dev/v1\nkind: Contract\nmetadata: {name: x}\nspec:\n  materials:\n    - {type: FOO, name: a}`;
    assert.match(refusal(text), /^invalid contract: spec\.materials\[0\]\.type: unknown kind "FOO"/);
  });

  it('checks the v2 header', () => {
    assert.match(
      refusal('apiVersion: chainloop.dev/v2\nkind: Contract\nmetadata: {name: x}\nspec: {}'),
      /apiVersion: "chainloop.dev\/v2" is not supported/,
    );
    assert.match(
      refusal('apiVersion: chainloop.dev/v1\nkind: Policy\nmetadata: {name: x}\nspec: {}'),
      /kind: "Policy" is not supported \(expected Contract\)/,
    );
    assert.match(refusal('apiVersion: chainloop.dev/v1\nkind: Contract\nspec: {}'), /metadata: required/);
    assert.match(refusal('apiVersion: chainloop.dev/v1\nkind: Contract\nmetadata: {name: x}'), /spec: required/);
    assert.match(
      refusal('apiVersion: chainloop.dev/v1\nkind: Contract\nmetadata: {name: My Contract}\nspec: {}'),
      /metadata\.name: "My Contract" is not a DNS-1123 label/,
    );
  });

  it('refuses an unsupported schemaVersion', () => {
    assert.match(refusal('schemaVersion: v2'), /schemaVersion: "v2" is not supported \(expected v1\)/);
  });

  it('refuses wrong value types with the path', () => {
    assert.match(
      refusal(v1('  - {type: ARTIFACT, name: a, optional: "yes"}')),
      /materials\[0\]\.optional: expected true or false, got string "yes"/,
    );
    assert.match(
      refusal('schemaVersion: v1\nmaterials: {a: 1}'),
      /^invalid contract: materials: expected a list, got a mapping/,
    );
    assert.match(refusal('schemaVersion: v1\nenvAllowList: [1]'), /envAllowList\[0\]: expected a string/);
    assert.match(
      refusal('schemaVersion: v1\nannotations: [{name: "bad name", value: x}]'),
      /annotations\[0\]\.name: "bad name" is not a valid annotation name/,
    );
    assert.match(
      refusal(v1('  - {type: ARTIFACT, name: a, annotations: [{name: n, value: 1.5}]}')),
      /materials\[0\]\.annotations\[0\]\.value: expected a string, got number 1.5 \(quote the value\)/,
    );
  });

  it('refuses text that is not YAML or JSON, an empty document and a list', () => {
    assert.match(
      refusal('{"schemaVersion": "v1",'),
      /not valid YAML or JSON: Flow map must end with a } at line 1, column 24$/,
    );
    assert.match(
      refusal('schemaVersion: v1\nschemaVersion: v1'),
      /not valid YAML or JSON: Map keys must be unique at line 2/,
    );
    assert.match(refusal(''), /expected a mapping at the top level, got an empty document/);
    assert.match(refusal('- a\n- b'), /expected a mapping at the top level/);
  });
});
