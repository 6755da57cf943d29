import '../hang-guard';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainloopError } from '@chainloop-ts/core';
import type { MaterialKindName } from '@chainloop-ts/core/contract';
import { detectMaterialKind, materialKind } from '@chainloop-ts/core/materials';
import { VECTORS } from './fixture-dir';

/** Chainloop's own test inputs for the scanner and secret-scan kinds (fixtures/vectors/materials/chainloop/README.md). */
const CHAINLOOP = join(VECTORS, 'chainloop');
const QUICK = { timeout: 30_000 };

const TOOL = 'chainloop.material.tool.name';
const VERSION = 'chainloop.material.tool.version';

/**
 * What Chainloop's <kind>_test.go accepts, with the annotations it records (exactly: Chainloop adds no others), and
 * what its auto-detection makes of the file: the first kind of its detection order that accepts it (`ARTIFACT` when
 * the kind is never auto-detected and no detected kind takes the file).
 */
const ACCEPTED: { file: string; kind: MaterialKindName; annotations: Record<string, string>; detected: string }[] = [
  { file: 'zap_scan.zip', kind: 'ZAP_DAST_ZIP', annotations: {}, detected: 'ZAP_DAST_ZIP' },
  { file: 'blackduck_sca.json', kind: 'BLACKDUCK_SCA_JSON', annotations: {}, detected: 'BLACKDUCK_SCA_JSON' },
  { file: 'twistcli_scan.json', kind: 'TWISTCLI_SCAN_JSON', annotations: {}, detected: 'TWISTCLI_SCAN_JSON' },
  { file: 'ghas-code-scan.json', kind: 'GHAS_CODE_SCAN', annotations: {}, detected: 'ARTIFACT' },
  { file: 'ghas-secret-scan.json', kind: 'GHAS_SECRET_SCAN', annotations: {}, detected: 'ARTIFACT' },
  { file: 'ghas-dependency-scan.json', kind: 'GHAS_DEPENDENCY_SCAN', annotations: {}, detected: 'ARTIFACT' },
  // An empty list of alerts is accepted by every GHAS kind, and detected as the empty gitleaks report it also is.
  { file: 'empty_array.json', kind: 'GHAS_CODE_SCAN', annotations: {}, detected: 'GITLEAKS_JSON' },
  { file: 'empty_array.json', kind: 'GHAS_SECRET_SCAN', annotations: {}, detected: 'GITLEAKS_JSON' },
  { file: 'empty_array.json', kind: 'GHAS_DEPENDENCY_SCAN', annotations: {}, detected: 'GITLEAKS_JSON' },
  {
    file: 'gitleaks-report-clean.json',
    kind: 'GITLEAKS_JSON',
    annotations: { [TOOL]: 'gitleaks' },
    detected: 'GITLEAKS_JSON',
  },
  {
    file: '../gitleaks-report-violations.json',
    kind: 'GITLEAKS_JSON',
    annotations: { [TOOL]: 'gitleaks' },
    detected: 'GITLEAKS_JSON',
  },
  {
    file: 'trufflehog-report.json',
    kind: 'TRUFFLEHOG_JSON',
    annotations: { [TOOL]: 'trufflehog' },
    detected: 'ARTIFACT',
  },
  {
    file: 'trufflehog-empty.json',
    kind: 'TRUFFLEHOG_JSON',
    annotations: { [TOOL]: 'trufflehog' },
    detected: 'ARTIFACT',
  },
  {
    file: 'detect-secrets-baseline-clean.json',
    kind: 'YELP_DETECT_SECRETS_BASELINE',
    annotations: { [TOOL]: 'detect-secrets', [VERSION]: '1.5.0' },
    detected: 'YELP_DETECT_SECRETS_BASELINE',
  },
  {
    file: 'detect-secrets-baseline-violations.json',
    kind: 'YELP_DETECT_SECRETS_BASELINE',
    annotations: { [TOOL]: 'detect-secrets', [VERSION]: '1.5.0' },
    detected: 'YELP_DETECT_SECRETS_BASELINE',
  },
  {
    file: 'checkmarx.json',
    kind: 'CHECKMARX_JSON',
    annotations: { [TOOL]: 'checkmarx', 'chainloop.material.scan.types': 'iac,sast,sca' },
    detected: 'ARTIFACT',
  },
  {
    // containers → container, sscs → supply-chain; the unknown "future-engine" is left out.
    file: 'checkmarx-extra-engines.json',
    kind: 'CHECKMARX_JSON',
    annotations: { [TOOL]: 'checkmarx', 'chainloop.material.scan.types': 'container,supply-chain' },
    detected: 'ARTIFACT',
  },
  { file: 'checkmarx-clean.json', kind: 'CHECKMARX_JSON', annotations: { [TOOL]: 'checkmarx' }, detected: 'ARTIFACT' },
  {
    file: 'checkmarx-null-results.json',
    kind: 'CHECKMARX_JSON',
    annotations: { [TOOL]: 'checkmarx' },
    detected: 'ARTIFACT',
  },
  {
    file: 'scorecard-chainloop.json',
    kind: 'OSSF_SCORECARD_JSON',
    annotations: { [TOOL]: 'scorecard', [VERSION]: 'v5.5.0', 'chainloop.material.scorecard.score': '8.2' },
    detected: 'OSSF_SCORECARD_JSON',
  },
  {
    file: 'scorecard-low.json',
    kind: 'OSSF_SCORECARD_JSON',
    annotations: { [TOOL]: 'scorecard', [VERSION]: 'v5.5.0', 'chainloop.material.scorecard.score': '2.9' },
    detected: 'OSSF_SCORECARD_JSON',
  },
  {
    file: 'sigcheck-report.csv',
    kind: 'SYSINTERNALS_SIGCHECK',
    annotations: { [TOOL]: 'sigcheck' },
    detected: 'SYSINTERNALS_SIGCHECK',
  },
  {
    file: 'sigcheck-report-tab.csv',
    kind: 'SYSINTERNALS_SIGCHECK',
    annotations: { [TOOL]: 'sigcheck' },
    detected: 'SYSINTERNALS_SIGCHECK',
  },
  {
    file: 'sigcheck-report-empty.csv',
    kind: 'SYSINTERNALS_SIGCHECK',
    annotations: { [TOOL]: 'sigcheck' },
    detected: 'SYSINTERNALS_SIGCHECK',
  },
  {
    file: 'accesschk-default.txt',
    kind: 'SYSINTERNALS_ACCESSCHK',
    annotations: { [TOOL]: 'AccessChk', [VERSION]: '6.15' },
    detected: 'ARTIFACT',
  },
  {
    file: 'accesschk-verbose.txt',
    kind: 'SYSINTERNALS_ACCESSCHK',
    annotations: { [TOOL]: 'AccessChk' },
    detected: 'ARTIFACT',
  },
];

/** What Chainloop's tests refuse, and the reason we give (one line, MATERIAL_INVALID). */
const REFUSED: { file: string; kind: MaterialKindName; reason: RegExp }[] = [
  { file: 'zap_scan_wrong.zip', kind: 'ZAP_DAST_ZIP', reason: /: the zip holds no report_json\.json$/ },
  { file: '../sbom.cyclonedx-1.5.json', kind: 'ZAP_DAST_ZIP', reason: /: it is not a zip archive$/ },
  { file: '../simple.txt', kind: 'ZAP_DAST_ZIP', reason: /: it is not a zip archive$/ },
  {
    file: 'blackduck_sca_missing_fields.json',
    kind: 'BLACKDUCK_SCA_JSON',
    reason: /: detailedProjectVersionCustomFields, detailedCodeLocations are missing$/,
  },
  { file: '../sbom-spdx-container.json', kind: 'BLACKDUCK_SCA_JSON', reason: /: detailedVulnerabilities, / },
  { file: '../simple.txt', kind: 'BLACKDUCK_SCA_JSON', reason: /: it is not JSON$/ },
  { file: '../sbom.cyclonedx-1.5.json', kind: 'TWISTCLI_SCAN_JSON', reason: /: results is missing$/ },
  { file: '../simple.txt', kind: 'TWISTCLI_SCAN_JSON', reason: /: it is not JSON$/ },
  { file: 'ghas-code-scan-wrong.json', kind: 'GHAS_CODE_SCAN', reason: /: the first alert has no "tool" object/ },
  { file: '../sbom.cyclonedx-1.5.json', kind: 'GHAS_CODE_SCAN', reason: /: it is not a JSON array$/ },
  { file: '../simple.txt', kind: 'GHAS_CODE_SCAN', reason: /: it is not JSON$/ },
  { file: 'ghas-secret-scan-wrong.json', kind: 'GHAS_SECRET_SCAN', reason: /: the first alert has no "secret_type"/ },
  { file: 'ghas-code-scan.json', kind: 'GHAS_SECRET_SCAN', reason: /: the first alert has no "secret_type"/ },
  {
    file: 'ghas-dependency-scan-wrong.json',
    kind: 'GHAS_DEPENDENCY_SCAN',
    reason: /: the first alert has no "dependency" object$/,
  },
  { file: 'ghas-secret-scan.json', kind: 'GHAS_DEPENDENCY_SCAN', reason: /: the first alert has no "dependency"/ },
  { file: '../sbom-spdx-container.json', kind: 'GITLEAKS_JSON', reason: /: it is not a JSON array$/ },
  { file: 'ghas-code-scan.json', kind: 'GITLEAKS_JSON', reason: /: the first finding has no "Fingerprint"/ },
  {
    file: 'trufflehog-missing-detector.json',
    kind: 'TRUFFLEHOG_JSON',
    reason: /: the first finding has no "DetectorName"/,
  },
  // A multi-line JSON object is one value of the stream: a finding without a detector, not a report.
  { file: '../sbom-spdx-container.json', kind: 'TRUFFLEHOG_JSON', reason: /: the first finding has no "DetectorName"/ },
  { file: '../simple.txt', kind: 'TRUFFLEHOG_JSON', reason: /: it is not JSON lines/ },
  { file: '../sbom-spdx-container.json', kind: 'YELP_DETECT_SECRETS_BASELINE', reason: /: version is missing$/ },
  { file: '../sbom-spdx-container.json', kind: 'CHECKMARX_JSON', reason: /: scanID is missing$/ },
  { file: 'scorecard-invalid.json', kind: 'OSSF_SCORECARD_JSON', reason: /: scorecard\.version is missing$/ },
  {
    file: 'scorecard-no-score.json',
    kind: 'OSSF_SCORECARD_JSON',
    reason: /: Scorecard v2 schema validation failed: must have required property 'score'$/,
  },
  { file: '../sbom-spdx-container.json', kind: 'OSSF_SCORECARD_JSON', reason: /: scorecard\.version is missing$/ },
  {
    file: '../sbom-spdx-container.json',
    kind: 'SYSINTERNALS_SIGCHECK',
    reason: /: the header has no Path or Verified/,
  },
  { file: '../sbom-spdx-container.json', kind: 'SYSINTERNALS_ACCESSCHK', reason: /: it does not look like AccessChk/ },
];

const input = (file: string) => ({ name: 'report', value: file, cwd: CHAINLOOP });
const fileName = (file: string) => file.split('/').pop();

describe('scanner and secret-scan kinds on Chainloop’s inputs', () => {
  for (const vector of ACCEPTED) {
    it(`${vector.file} is a ${vector.kind}, with the annotations Chainloop records`, QUICK, async () => {
      const inspected = await materialKind(vector.kind).inspect(input(vector.file));
      assert.equal(inspected.shape, 'file');
      if (inspected.shape !== 'file') return;
      assert.equal(inspected.fileName, fileName(vector.file));
      assert.equal(inspected.path, join(CHAINLOOP, vector.file));
      assert.deepEqual(inspected.annotations, vector.annotations);
    });
  }

  for (const vector of REFUSED) {
    it(`${vector.file} is refused as ${vector.kind}, in one line`, QUICK, async () => {
      let error: unknown;
      try {
        await materialKind(vector.kind).inspect(input(vector.file));
      } catch (caught) {
        error = caught;
      }
      assert.ok(error instanceof ChainloopError, `${vector.file} was accepted as ${vector.kind}`);
      assert.equal(error.code, 'MATERIAL_INVALID');
      assert.ok(
        error.message.startsWith(`material "report": file ${vector.file} is not a valid ${vector.kind}: `),
        error.message,
      );
      assert.match(error.message, vector.reason);
      assert.ok(!error.message.includes('\n'), error.message);
    });
  }

  it('an empty file is refused by every kind but TRUFFLEHOG_JSON, as a file error', QUICK, async () => {
    for (const kind of new Set(ACCEPTED.map((vector) => vector.kind))) {
      if (kind === 'TRUFFLEHOG_JSON') continue;
      await assert.rejects(materialKind(kind).inspect(input('../empty.txt')), { code: 'MATERIAL_FILE_EMPTY' }, kind);
    }
  });
});

describe('auto-detection of Chainloop’s inputs', () => {
  for (const vector of ACCEPTED) {
    it(`detects ${vector.file} as ${vector.detected}, as Chainloop would`, QUICK, async () => {
      const detected = await detectMaterialKind(input(vector.file));
      assert.equal(detected.kind, vector.detected);
    });
  }

  it('never tries the kinds Chainloop does not auto-detect', QUICK, () => {
    for (const kind of [
      'GHAS_CODE_SCAN',
      'GHAS_SECRET_SCAN',
      'GHAS_DEPENDENCY_SCAN',
      'TRUFFLEHOG_JSON',
      'CHECKMARX_JSON',
      'SYSINTERNALS_ACCESSCHK',
    ] as const) {
      assert.equal(materialKind(kind).detectionOrder, undefined, kind);
    }
  });

  it('refuses a clean TruffleHog scan (an empty file) when the kind is not given', QUICK, async () => {
    await assert.rejects(detectMaterialKind(input('trufflehog-clean-scan.jsonl')), { code: 'MATERIAL_FILE_EMPTY' });
  });
});
