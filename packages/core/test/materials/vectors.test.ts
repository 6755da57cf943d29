import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import type { MaterialKindName } from '@chainloop-ts/core/contract';
import { detectMaterialKind, materialKind } from '@chainloop-ts/core/materials';

const MATERIALS = join(import.meta.dirname, '../../../../fixtures/vectors/materials');

/** Every vector of fixtures/vectors/materials: its kind, the sha256 the README lists, and what detection gives. */
const VECTORS: { file: string; kind: MaterialKindName; sha256: string; detected?: MaterialKindName }[] = [
  {
    file: 'attestation-bundle.json',
    kind: 'ATTESTATION',
    sha256: 'fa7165a16cc1efdd24457a12dda613bbbfc903d3a2538a5ce8779b157d39b04c',
  },
  {
    file: 'attestation-dsse.json',
    kind: 'ATTESTATION',
    sha256: '3911ab20e43d801d35459c53168f6cba66d50af99dcc9e12aeb84a95c0d231df',
  },
  {
    file: 'cobertura.xml',
    kind: 'COBERTURA_XML',
    sha256: '00b1d466b66effb5b42b02adcaa63c99fcf3df4d7e54f66e0e481bf4a15fdd38',
  },
  {
    file: 'csaf_vex_v0.2.0.json',
    kind: 'CSAF_VEX',
    sha256: 'd38f293e130fbb01d72b1df0b53a9eb1f0b50dd2053665db881d56ed9f4107c2',
  },
  {
    file: 'evidence-with-id-data-schema.json',
    kind: 'EVIDENCE',
    sha256: '54b842e51dd4b0ff2c2ad79b40c48087e6accdc319f3b8f29b5eb68cd22e8720',
    detected: 'ARTIFACT',
  },
  {
    file: 'gitleaks-report-violations.json',
    kind: 'GITLEAKS_JSON',
    sha256: '2f8c1997a9f86d01d3a921665ec6d53553b4d4793259d8f1e1d6dae01f930448',
  },
  {
    file: 'gl-sast-report.json',
    kind: 'GITLAB_SECURITY_REPORT',
    sha256: '01b8e1eb13e5cc66e9c4dc9ae58439d3ca24b91adb8c373136ebd2019c3c1248',
  },
  {
    file: 'jacoco.xml',
    kind: 'JACOCO_XML',
    sha256: 'd622d9dbebbd6f2bd7bf9a867e91bbd2662ebd4ea500d9f518e76f5f3d86c8e0',
  },
  { file: 'junit.xml', kind: 'JUNIT_XML', sha256: 'e9c941b25c06d8bd98205122cbc827504c6d03d37b7f4afd7ed03b3eeec789e2' },
  {
    file: 'openvex_v0.2.0.json',
    kind: 'OPENVEX',
    sha256: 'b4bd86d5855f94bcac0a92d3100ae7b85d050bd2e5fb9037a200e5f5f0b073a2',
  },
  { file: 'random.json', kind: 'ARTIFACT', sha256: 'bbe8e9a86be651f9efc8e8df7fb76999d8e9a4a9674df9be8de24f4fb3d872a2' },
  { file: 'report.sarif', kind: 'SARIF', sha256: 'c4a63494f9289dd9fd44f841efb4f5b52765c2de6332f2d86e5f6c0340b40a95' },
  {
    file: 'sbom-spdx-container.json',
    kind: 'SBOM_SPDX_JSON',
    sha256: '47df762774170904a7ab6bf0c565a2c525b60c3f92f9484744f9aafc631ce307',
  },
  {
    file: 'sbom-spdx-multiple-tools.json',
    kind: 'SBOM_SPDX_JSON',
    sha256: 'c1a61566c7c0224ac02ad9cd21d90234e5a71de26971e33df2205c1a2eb319fc',
  },
  {
    file: 'sbom-spdx-with-described-package.json',
    kind: 'SBOM_SPDX_JSON',
    sha256: 'c6aaa874345f9d309f1b7a3e1cdb00817c91326fcc8ede9507dce882b0efdf16',
  },
  {
    file: 'sbom.cyclonedx-1.4-empty-tool-version.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    sha256: 'f0b15f1ae6cadb9f14e0071f14888bcbae03686580f8fc8dc0c838e6e96aaf0e',
  },
  {
    file: 'sbom.cyclonedx-1.5-multiple-tools.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    sha256: '56f82c99fb4740f952296705ceb2ee0c5c3c6a3309b35373d542d58878d65cd3',
  },
  {
    file: 'sbom.cyclonedx-1.5-vulnerabilities.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    sha256: '16248b84917cee938826bd4de98b84b243715891524bf5e6ebfc33f2c499e60b',
  },
  {
    file: 'sbom.cyclonedx-1.5.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    sha256: '5ca3508f02893b0419b266927f66c7b9dd8b11dbea7faf7cdb9169df8f69d8e3',
  },
  { file: 'simple.txt', kind: 'ARTIFACT', sha256: '54181dfe59340b318253e59f7695f547c5c10d071cb75001170a389061349918' },
  {
    file: 'tests.tar.gz',
    kind: 'JUNIT_XML',
    sha256: '4bbcac1524331f7d27c66b658242cbba9c9e6b46aa8ee573ca15191c4b465cb5',
  },
  { file: 'tests.zip', kind: 'JUNIT_XML', sha256: '1b00f89a6f23f2e99c207ce90e11dcd41ac4e754d44e81f50f295e858692e96b' },
  {
    file: 'valid-chart.tgz',
    kind: 'HELM_CHART',
    sha256: '08a46a850789938ede61d6a53552f48cb8ba74c4e17dcf30c9c50e5783ca6a13',
  },
];

/** The `*invalid*` and other negative vectors, refused for the kind their name suggests. */
const REFUSED: { file: string; kind: MaterialKindName; reason: RegExp; sha256: string }[] = [
  {
    file: 'attestation-invalid-intoto.json',
    kind: 'ATTESTATION',
    reason: /payload is not an in-toto statement/,
    sha256: 'c2b6491394a6784a48e89600c7b1310b30e5d67dc4af7d50c4c07c57bac6c45f',
  },
  {
    file: 'junit-invalid.xml',
    kind: 'JUNIT_XML',
    reason: /testsuites2/,
    sha256: '5ffce1303d2bc22e4fc6f0dd756a3783df69b7ab132698278c782283e76b0736',
  },
  {
    file: 'missing-chartyaml.tgz',
    kind: 'HELM_CHART',
    reason: /Chart\.yaml is missing/,
    sha256: '658f76cadab70b902ce84c39f27612df121b9cc9e6b0d07bcab8e296f34a41f0',
  },
  {
    file: 'sbom.cyclonedx-invalid-schema.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    reason: /CycloneDX schema validation failed/,
    sha256: '35496789c312ce41c18d26a0aa20f0a9c30b5cd346edfe6f3ecf2e67b478d5e8',
  },
  {
    file: 'random.json',
    kind: 'SBOM_CYCLONEDX_JSON',
    reason: /bomFormat is not "CycloneDX"/,
    sha256: 'bbe8e9a86be651f9efc8e8df7fb76999d8e9a4a9674df9be8de24f4fb3d872a2',
  },
];

/** Kinds that validate content; STRING, ARTIFACT and EVIDENCE accept any non-empty value by design. */
const CONTENT_KINDS: MaterialKindName[] = [
  'CONTAINER_IMAGE',
  'SBOM_CYCLONEDX_JSON',
  'SBOM_SPDX_JSON',
  'JUNIT_XML',
  'OPENVEX',
  'CSAF_VEX',
  'CSAF_INFORMATIONAL_ADVISORY',
  'CSAF_SECURITY_ADVISORY',
  'CSAF_SECURITY_INCIDENT_RESPONSE',
  'SARIF',
  'HELM_CHART',
  'ATTESTATION',
  'GITLAB_SECURITY_REPORT',
  'ZAP_DAST_ZIP',
  'BLACKDUCK_SCA_JSON',
  'TWISTCLI_SCAN_JSON',
  'GHAS_CODE_SCAN',
  'GHAS_SECRET_SCAN',
  'GHAS_DEPENDENCY_SCAN',
  'GITLEAKS_JSON',
  'YELP_DETECT_SECRETS_BASELINE',
  'SYSINTERNALS_SIGCHECK',
  'SYSINTERNALS_ACCESSCHK',
  'OSSF_SCORECARD_JSON',
  'TRUFFLEHOG_JSON',
  'CHECKMARX_JSON',
];

const input = (file: string) => ({ name: 'vector', value: file, cwd: MATERIALS });
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(join(MATERIALS, file)))
    .digest('hex');

async function refusal(kind: MaterialKindName, file: string): Promise<ChainloopError> {
  try {
    await materialKind(kind).inspect(input(file));
  } catch (error) {
    assert.ok(error instanceof ChainloopError, String(error));
    return error;
  }
  assert.fail(`${file} was accepted as ${kind}`);
}

describe('material vectors', () => {
  for (const vector of VECTORS) {
    it(`${vector.file}: accepted as ${vector.kind}, refused as every other kind, detected as ${vector.detected ?? vector.kind}`, async () => {
      assert.equal(sha256(vector.file), vector.sha256, 'the file is the one the README lists');
      const inspected = await materialKind(vector.kind).inspect(input(vector.file));
      assert.equal(inspected.shape, 'file');
      if (inspected.shape === 'file') {
        assert.equal(inspected.fileName, vector.file);
        assert.equal(inspected.path, join(MATERIALS, vector.file));
      }
      for (const other of CONTENT_KINDS.filter((kind) => kind !== vector.kind)) {
        const error = await refusal(other, vector.file);
        assert.equal(error.code, 'MATERIAL_INVALID', `${other}: ${error.message}`);
        assert.ok(error.message.startsWith(`material "vector": `), error.message);
        assert.ok(error.message.includes(other), error.message);
        assert.ok(!error.message.includes('\n'), error.message);
      }
      const detected = await detectMaterialKind(input(vector.file));
      assert.equal(detected.kind, vector.detected ?? vector.kind);
    });
  }

  for (const vector of REFUSED) {
    it(`${vector.file}: refused as ${vector.kind} with the reason`, async () => {
      assert.equal(sha256(vector.file), vector.sha256);
      const error = await refusal(vector.kind, vector.file);
      assert.equal(error.code, 'MATERIAL_INVALID');
      assert.match(
        error.message,
        new RegExp(`^material "vector": file ${vector.file.replace(/\./g, '\\.')} is not a valid ${vector.kind}: `),
      );
      assert.match(error.message, vector.reason);
    });
  }

  it('random.json is JSON of no known kind: auto-detected as ARTIFACT', async () => {
    const { kind, inspected } = await detectMaterialKind(input('random.json'));
    assert.equal(kind, 'ARTIFACT');
    assert.deepEqual(inspected, {
      shape: 'file',
      path: join(MATERIALS, 'random.json'),
      fileName: 'random.json',
      annotations: {},
    });
  });

  it('the refused vectors still auto-detect as ARTIFACT (they are files)', async () => {
    for (const file of [
      'attestation-invalid-intoto.json',
      'junit-invalid.xml',
      'missing-chartyaml.tgz',
      'sbom.cyclonedx-invalid-schema.json',
    ]) {
      assert.equal((await detectMaterialKind(input(file))).kind, 'ARTIFACT', file);
    }
  });

  it('empty.txt is refused as empty by every file kind and by detection', async () => {
    assert.equal(sha256('empty.txt'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const kind of ['ARTIFACT', 'EVIDENCE', 'SBOM_CYCLONEDX_JSON', 'JUNIT_XML', 'HELM_CHART'] as const) {
      const error = await refusal(kind, 'empty.txt');
      assert.equal(error.code, 'MATERIAL_FILE_EMPTY');
      assert.equal(error.message, 'material "vector": file empty.txt is empty; an empty file cannot be attested');
    }
    await assert.rejects(detectMaterialKind(input('empty.txt')), { code: 'MATERIAL_FILE_EMPTY' });
  });
});
