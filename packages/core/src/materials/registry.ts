import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';
import { artifactKind } from './artifact';
import { asyncApiSpecKind } from './asyncapi-spec';
import { attestationKind } from './attestation';
import { certccDranzerKind } from './certcc-dranzer';
import { chainloopAiAgentConfigKind } from './chainloop-ai-agent-config';
import { chainloopAiCodingSessionKind } from './chainloop-ai-coding-session';
import { chainloopPrInfoKind } from './chainloop-pr-info';
import { chainloopRunnerContextKind } from './chainloop-runner-context';
import { coberturaXmlKind } from './cobertura-xml';
import { containerImageKind } from './container-image';
import {
  csafInformationalAdvisoryKind,
  csafSecurityAdvisoryKind,
  csafSecurityIncidentResponseKind,
  csafVexKind,
} from './csaf';
import { evidenceKind } from './evidence';
import { gitlabSecurityReportKind } from './gitlab-security-report';
import { graphqlSpecKind } from './graphql-spec';
import { helmChartKind } from './helm-chart';
import { jacocoXmlKind } from './jacoco-xml';
import { junitXmlKind } from './junit-xml';
import type { MaterialKind } from './kind';
import { openApiSpecKind } from './openapi-spec';
import { openVexKind } from './openvex';
import { radamsaCrashesKind } from './radamsa-crashes';
import { radamsaReportKind } from './radamsa-report';
import { sarifKind } from './sarif';
import { sbomCycloneDxKind } from './sbom-cyclonedx';
import { sbomSpdxKind } from './sbom-spdx';
import { slsaProvenanceKind } from './slsa-provenance';
import { stringKind } from './string';

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
  JACOCO_XML: jacocoXmlKind,
  SLSA_PROVENANCE: slsaProvenanceKind,
  CHAINLOOP_RUNNER_CONTEXT: chainloopRunnerContextKind,
  CHAINLOOP_PR_INFO: chainloopPrInfoKind,
  CHAINLOOP_AI_AGENT_CONFIG: chainloopAiAgentConfigKind,
  CHAINLOOP_AI_CODING_SESSION: chainloopAiCodingSessionKind,
  OPENAPI_SPEC: openApiSpecKind,
  ASYNCAPI_SPEC: asyncApiSpecKind,
  GRAPHQL_SPEC: graphqlSpecKind,
  CERTCC_DRANZER: certccDranzerKind,
  RADAMSA_REPORT: radamsaReportKind,
  RADAMSA_CRASHES: radamsaCrashesKind,
  COBERTURA_XML: coberturaXmlKind,
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
