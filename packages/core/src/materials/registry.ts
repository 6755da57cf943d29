import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';
import { artifactKind } from './artifact';
import { asyncApiSpecKind } from './asyncapi-spec';
import { attestationKind } from './attestation';
import { blackduckScaJsonKind } from './blackduck-sca-json';
import { certccDranzerKind } from './certcc-dranzer';
import { chainloopAiAgentConfigKind } from './chainloop-ai-agent-config';
import { chainloopAiCodingSessionKind } from './chainloop-ai-coding-session';
import { chainloopPrInfoKind } from './chainloop-pr-info';
import { chainloopRunnerContextKind } from './chainloop-runner-context';
import { checkmarxJsonKind } from './checkmarx-json';
import { coberturaXmlKind } from './cobertura-xml';
import { containerImageKind } from './container-image';
import {
  csafInformationalAdvisoryKind,
  csafSecurityAdvisoryKind,
  csafSecurityIncidentResponseKind,
  csafVexKind,
} from './csaf';
import { evidenceKind } from './evidence';
import { ghasCodeScanKind } from './ghas-code-scan';
import { ghasDependencyScanKind } from './ghas-dependency-scan';
import { ghasSecretScanKind } from './ghas-secret-scan';
import { gitlabSecurityReportKind } from './gitlab-security-report';
import { gitleaksJsonKind } from './gitleaks-json';
import { graphqlSpecKind } from './graphql-spec';
import { helmChartKind } from './helm-chart';
import { jacocoXmlKind } from './jacoco-xml';
import { junitXmlKind } from './junit-xml';
import type { MaterialKind } from './kind';
import { openApiSpecKind } from './openapi-spec';
import { openVexKind } from './openvex';
import { ossfScorecardJsonKind } from './ossf-scorecard-json';
import { radamsaCrashesKind } from './radamsa-crashes';
import { radamsaReportKind } from './radamsa-report';
import { sarifKind } from './sarif';
import { sbomCycloneDxKind } from './sbom-cyclonedx';
import { sbomSpdxKind } from './sbom-spdx';
import { slsaProvenanceKind } from './slsa-provenance';
import { stringKind } from './string';
import { sysinternalsAccesschkKind } from './sysinternals-accesschk';
import { sysinternalsSigcheckKind } from './sysinternals-sigcheck';
import { trufflehogJsonKind } from './trufflehog-json';
import { twistcliScanJsonKind } from './twistcli-scan-json';
import { yelpDetectSecretsBaselineKind } from './yelp-detect-secrets-baseline';
import { zapDastZipKind } from './zap-dast-zip';

/** Every kind Chainloop TS implements; adding a kind is one file plus one line here. */
const KINDS: Record<MaterialKindName, MaterialKind> = {
  STRING: stringKind,
  CONTAINER_IMAGE: containerImageKind,
  ARTIFACT: artifactKind,
  SBOM_CYCLONEDX_JSON: sbomCycloneDxKind,
  SBOM_SPDX_JSON: sbomSpdxKind,
  JUNIT_XML: junitXmlKind,
  OPENVEX: openVexKind,
  CSAF_VEX: csafVexKind,
  CSAF_INFORMATIONAL_ADVISORY: csafInformationalAdvisoryKind,
  CSAF_SECURITY_ADVISORY: csafSecurityAdvisoryKind,
  CSAF_SECURITY_INCIDENT_RESPONSE: csafSecurityIncidentResponseKind,
  SARIF: sarifKind,
  HELM_CHART: helmChartKind,
  EVIDENCE: evidenceKind,
  ATTESTATION: attestationKind,
  GITLAB_SECURITY_REPORT: gitlabSecurityReportKind,
  ZAP_DAST_ZIP: zapDastZipKind,
  BLACKDUCK_SCA_JSON: blackduckScaJsonKind,
  TWISTCLI_SCAN_JSON: twistcliScanJsonKind,
  GHAS_CODE_SCAN: ghasCodeScanKind,
  GHAS_SECRET_SCAN: ghasSecretScanKind,
  GHAS_DEPENDENCY_SCAN: ghasDependencyScanKind,
  JACOCO_XML: jacocoXmlKind,
  SLSA_PROVENANCE: slsaProvenanceKind,
  CHAINLOOP_RUNNER_CONTEXT: chainloopRunnerContextKind,
  CHAINLOOP_PR_INFO: chainloopPrInfoKind,
  GITLEAKS_JSON: gitleaksJsonKind,
  CHAINLOOP_AI_AGENT_CONFIG: chainloopAiAgentConfigKind,
  CHAINLOOP_AI_CODING_SESSION: chainloopAiCodingSessionKind,
  OPENAPI_SPEC: openApiSpecKind,
  ASYNCAPI_SPEC: asyncApiSpecKind,
  GRAPHQL_SPEC: graphqlSpecKind,
  YELP_DETECT_SECRETS_BASELINE: yelpDetectSecretsBaselineKind,
  SYSINTERNALS_SIGCHECK: sysinternalsSigcheckKind,
  SYSINTERNALS_ACCESSCHK: sysinternalsAccesschkKind,
  CERTCC_DRANZER: certccDranzerKind,
  OSSF_SCORECARD_JSON: ossfScorecardJsonKind,
  RADAMSA_REPORT: radamsaReportKind,
  RADAMSA_CRASHES: radamsaCrashesKind,
  TRUFFLEHOG_JSON: trufflehogJsonKind,
  COBERTURA_XML: coberturaXmlKind,
  CHECKMARX_JSON: checkmarxJsonKind,
};

export function materialKind(name: MaterialKindName): MaterialKind {
  const kind = KINDS[name];
  if (kind === undefined) {
    throw new ChainloopError('MATERIAL_KIND_UNKNOWN', `material kind "${name}" is not implemented`);
  }
  return kind;
}

/** The auto-detected kinds, most specific first, in Chainloop's order: ARTIFACT then STRING last. */
export function detectionOrder(): MaterialKind[] {
  return Object.values(KINDS)
    .filter((kind) => kind.detectionOrder !== undefined)
    .sort((a, b) => (a.detectionOrder as number) - (b.detectionOrder as number));
}
