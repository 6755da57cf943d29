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
  25: 'CHAINLOOP_RUNNER_CONTEXT',
  26: 'CHAINLOOP_PR_INFO',
};

/** Kinds the original defines that Chainloop TS does not implement yet: refused with "not supported yet". */
export const UPSTREAM_ONLY_MATERIAL_KINDS: readonly string[] = [
  'ZAP_DAST_ZIP',
  'BLACKDUCK_SCA_JSON',
  'TWISTCLI_SCAN_JSON',
  'GHAS_CODE_SCAN',
  'GHAS_SECRET_SCAN',
  'GHAS_DEPENDENCY_SCAN',
  'JACOCO_XML',
  'SLSA_PROVENANCE',
  'GITLEAKS_JSON',
  'CHAINLOOP_AI_AGENT_CONFIG',
  'CHAINLOOP_AI_CODING_SESSION',
  'OPENAPI_SPEC',
  'ASYNCAPI_SPEC',
  'GRAPHQL_SPEC',
  'YELP_DETECT_SECRETS_BASELINE',
  'SYSINTERNALS_SIGCHECK',
  'SYSINTERNALS_ACCESSCHK',
  'CERTCC_DRANZER',
  'OSSF_SCORECARD_JSON',
  'RADAMSA_REPORT',
  'RADAMSA_CRASHES',
  'TRUFFLEHOG_JSON',
  'COBERTURA_XML',
  'CHECKMARX_JSON',
];

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
  if (typeof value === 'string' && UPSTREAM_ONLY_MATERIAL_KINDS.includes(value)) {
    return { ok: false, reason: `kind "${value}" is not supported by Chainloop TS yet ${known}` };
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
