import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';
import { artifactKind } from './artifact';
import { attestationKind } from './attestation';
import { chainloopPrInfoKind } from './chainloop-pr-info';
import { chainloopRunnerContextKind } from './chainloop-runner-context';
import { containerImageKind } from './container-image';
import {
  csafInformationalAdvisoryKind,
  csafSecurityAdvisoryKind,
  csafSecurityIncidentResponseKind,
  csafVexKind,
} from './csaf';
import { evidenceKind } from './evidence';
import { gitlabSecurityReportKind } from './gitlab-security-report';
import { helmChartKind } from './helm-chart';
import { junitXmlKind } from './junit-xml';
import type { MaterialKind } from './kind';
import { openVexKind } from './openvex';
import { sarifKind } from './sarif';
import { sbomCycloneDxKind } from './sbom-cyclonedx';
import { sbomSpdxKind } from './sbom-spdx';
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
  CHAINLOOP_RUNNER_CONTEXT: chainloopRunnerContextKind,
  CHAINLOOP_PR_INFO: chainloopPrInfoKind,
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
