import { MATERIAL_KINDS, type MaterialKindName, RUNNER_TYPES, type RunnerTypeName } from './model';

/**
 * Proto enum numbers of `CraftingSchema.Material.MaterialType` and `Runner.RunnerType`: protojson (what the original
 * parses contracts with) accepts an enum by name or by number, so we do too.
 */
const MATERIAL_KIND_BY_NUMBER: Record<number, MaterialKindName> = {
  1: 'STRING',
  2: 'CONTAINER_IMAGE',
  3: 'ARTIFACT',
  4: 'SBOM_CYCLONEDX_JSON',
  5: 'SBOM_SPDX_JSON',
  6: 'JUNIT_XML',
  7: 'OPENVEX',
  8: 'CSAF_VEX',
  9: 'SARIF',
  10: 'HELM_CHART',
  11: 'EVIDENCE',
  12: 'ATTESTATION',
  13: 'CSAF_INFORMATIONAL_ADVISORY',
  14: 'CSAF_SECURITY_ADVISORY',
  15: 'CSAF_SECURITY_INCIDENT_RESPONSE',
  16: 'GITLAB_SECURITY_REPORT',
  17: 'ZAP_DAST_ZIP',
  18: 'BLACKDUCK_SCA_JSON',
  19: 'TWISTCLI_SCAN_JSON',
  20: 'GHAS_CODE_SCAN',
  21: 'GHAS_SECRET_SCAN',
  22: 'GHAS_DEPENDENCY_SCAN',
  23: 'JACOCO_XML',
  24: 'SLSA_PROVENANCE',
  25: 'CHAINLOOP_RUNNER_CONTEXT',
  26: 'CHAINLOOP_PR_INFO',
  27: 'GITLEAKS_JSON',
  28: 'CHAINLOOP_AI_AGENT_CONFIG',
  29: 'CHAINLOOP_AI_CODING_SESSION',
  30: 'OPENAPI_SPEC',
  31: 'ASYNCAPI_SPEC',
  32: 'GRAPHQL_SPEC',
  33: 'YELP_DETECT_SECRETS_BASELINE',
  34: 'SYSINTERNALS_SIGCHECK',
  35: 'SYSINTERNALS_ACCESSCHK',
  36: 'CERTCC_DRANZER',
  37: 'OSSF_SCORECARD_JSON',
  38: 'RADAMSA_REPORT',
  39: 'RADAMSA_CRASHES',
  40: 'TRUFFLEHOG_JSON',
  41: 'COBERTURA_XML',
  42: 'CHECKMARX_JSON',
};

const RUNNER_TYPE_BY_NUMBER: Record<number, RunnerTypeName> = {
  0: 'RUNNER_TYPE_UNSPECIFIED',
  1: 'GITHUB_ACTION',
  2: 'GITLAB_PIPELINE',
  3: 'AZURE_PIPELINE',
  4: 'JENKINS_JOB',
  5: 'CIRCLECI_BUILD',
  6: 'DAGGER_PIPELINE',
  7: 'TEAMCITY_PIPELINE',
  8: 'TEKTON_PIPELINE',
};

export type EnumLookup<T> = { ok: true; value: T } | { ok: false; reason: string };

export function isMaterialKindName(value: string): value is MaterialKindName {
  return (MATERIAL_KINDS as readonly string[]).includes(value);
}

export function lookupMaterialKind(value: unknown): EnumLookup<MaterialKindName> {
  if (typeof value === 'number' && MATERIAL_KIND_BY_NUMBER[value] !== undefined) {
    return { ok: true, value: MATERIAL_KIND_BY_NUMBER[value] };
  }
  if (typeof value === 'string' && isMaterialKindName(value)) return { ok: true, value };
  const known = `(known: ${MATERIAL_KINDS.join(', ')})`;
  if (value === undefined || value === '' || value === 'MATERIAL_TYPE_UNSPECIFIED' || value === 0) {
    return { ok: false, reason: `a material kind is required ${known}` };
  }
  return { ok: false, reason: `unknown kind ${JSON.stringify(value)} ${known}` };
}

export function lookupRunnerType(value: unknown): EnumLookup<RunnerTypeName> {
  if (typeof value === 'number' && RUNNER_TYPE_BY_NUMBER[value] !== undefined) {
    return { ok: true, value: RUNNER_TYPE_BY_NUMBER[value] };
  }
  if (
    typeof value === 'string' &&
    ((RUNNER_TYPES as readonly string[]).includes(value) || value === 'RUNNER_TYPE_UNSPECIFIED')
  ) {
    return { ok: true, value: value as RunnerTypeName };
  }
  const known = `(known: ${RUNNER_TYPES.join(', ')})`;
  if (value === 'CHAINLOOP_SANDBOX' || value === 9) {
    return { ok: false, reason: `runner type "CHAINLOOP_SANDBOX" is not supported by Chainloop TS ${known}` };
  }
  return { ok: false, reason: `unknown runner type ${JSON.stringify(value)} ${known}` };
}
