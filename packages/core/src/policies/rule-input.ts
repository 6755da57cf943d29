import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';
import { readTarEntries, readZipEntries } from '../materials/archive-entries';
import { MAX_PARSED_DOCUMENT_BYTES } from '../materials/file-content';
import { type JUnitReport, mergeReports, parseJUnitReport } from '../materials/junit-report';
import { sniffFormat } from '../materials/material-file';
import { parseTrufflehogFindings } from '../materials/trufflehog-json';
import { parseImageReference } from '../oci/reference';
import type { RuleInput } from './engine';

/** A crafted material as policies need it (the crafting state's `CraftedMaterial` has this shape). */
export interface PolicyMaterial {
  name: string;
  kind: MaterialKindName;
  /** STRING materials. */
  value?: string;
  /** File materials: the recorded file name. */
  fileName?: string;
  /** Container images: fully qualified repository and tag. */
  image?: { name: string; tag?: string };
  digest: string;
  annotations: Record<string, string>;
}

/**
 * Kinds whose content is a JSON document, handed to rules parsed, as Chainloop hands a policy the material's content
 * (its rules then count a gitleaks report's findings, read a scorecard's score, …).
 */
const JSON_KINDS = new Set<MaterialKindName>([
  'SBOM_CYCLONEDX_JSON',
  'SBOM_SPDX_JSON',
  'SARIF',
  'OPENVEX',
  'CSAF_VEX',
  'CSAF_INFORMATIONAL_ADVISORY',
  'CSAF_SECURITY_ADVISORY',
  'CSAF_SECURITY_INCIDENT_RESPONSE',
  'GITLAB_SECURITY_REPORT',
  'GITLEAKS_JSON',
  'OSSF_SCORECARD_JSON',
  'BLACKDUCK_SCA_JSON',
  'TWISTCLI_SCAN_JSON',
  'GHAS_CODE_SCAN',
  'GHAS_SECRET_SCAN',
  'GHAS_DEPENDENCY_SCAN',
  'CHECKMARX_JSON',
  'YELP_DETECT_SECRETS_BASELINE',
  'SLSA_PROVENANCE',
  'CHAINLOOP_RUNNER_CONTEXT',
  'CHAINLOOP_PR_INFO',
  'CHAINLOOP_AI_AGENT_CONFIG',
  'CHAINLOOP_AI_CODING_SESSION',
  'ATTESTATION',
]);

/** API specs are JSON or YAML (the kinds accept both): rules see the document as an object either way. */
const JSON_OR_YAML_KINDS = new Set<MaterialKindName>(['OPENAPI_SPEC', 'ASYNCAPI_SPEC']);

/**
 * What a material policy's rules see. `input` by kind:
 * - the JSON kinds above (SBOMs, SARIF, VEX, CSAF, scanner reports such as GITLEAKS_JSON or GHAS_*, Chainloop's
 *   own documents, attestations) and JSON EVIDENCE: the parsed document;
 * - OPENAPI_SPEC, ASYNCAPI_SPEC: the parsed document, JSON or YAML;
 * - TRUFFLEHOG_JSON (JSON lines, one finding a line): the list of findings, `[]` for a clean scan;
 * - JUNIT_XML: `{tests, failures, errors, skipped, suites: [{name, …counts, cases: [{name, classname, time, status,
 *   message}]}]}` over every report of the file or archive;
 * - CONTAINER_IMAGE: `{name, registry, repository, tag, digest}`;
 * - STRING: `{value}`;
 * - anything else (ARTIFACT, HELM_CHART, other EVIDENCE): `{fileName, digest}`, no content.
 * `material` is `{name, kind, digest, fileName?, value?, annotations}`. `path` is the local file of a file material.
 */
export async function materialRuleInput(
  material: PolicyMaterial,
  path: string | undefined,
  args: RuleInput['args'],
): Promise<RuleInput> {
  return { input: await contentOf(material, path), material: describeMaterial(material), predicate: null, args };
}

/** Attestation policies see the in-toto statement as `input` (Chainloop's input) and its predicate as `predicate`. */
export function attestationRuleInput(statement: Record<string, unknown>, args: RuleInput['args']): RuleInput {
  return { input: statement, material: {}, predicate: statement.predicate ?? null, args };
}

function describeMaterial(material: PolicyMaterial): Record<string, unknown> {
  return {
    name: material.name,
    kind: material.kind,
    digest: material.digest,
    annotations: material.annotations,
    ...(material.fileName === undefined ? {} : { fileName: material.fileName }),
    ...(material.value === undefined ? {} : { value: material.value }),
  };
}

async function contentOf(material: PolicyMaterial, path: string | undefined): Promise<unknown> {
  if (material.kind === 'STRING') return { value: material.value ?? '' };
  if (material.kind === 'CONTAINER_IMAGE') return imageContent(material);
  if (path === undefined) return { fileName: material.fileName ?? '', digest: material.digest };
  if (JSON_KINDS.has(material.kind)) return readJson(material, path);
  if (JSON_OR_YAML_KINDS.has(material.kind)) return readJsonOrYaml(material, path);
  if (material.kind === 'TRUFFLEHOG_JSON') return readJsonLines(material, path);
  if (material.kind === 'JUNIT_XML') return readJUnit(material, path);
  if (material.kind === 'EVIDENCE' && (await sniffFormat(fileOf(path))) === 'json') return readJson(material, path);
  return { fileName: material.fileName ?? basename(path), digest: material.digest };
}

function imageContent(material: PolicyMaterial): Record<string, unknown> {
  const name = material.image?.name ?? '';
  let registry = '';
  let repository = name;
  try {
    ({ registry, repository } = parseImageReference(name));
  } catch {
    // OCI layouts (`oci-layout:<name>`) have no registry.
  }
  return { name, registry, repository, tag: material.image?.tag ?? '', digest: material.digest };
}

function fileOf(path: string) {
  return { path, given: path, fileName: basename(path), size: 0 };
}

async function readJson(material: PolicyMaterial, path: string): Promise<unknown> {
  await refuseLarge(material, path);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw unreadable(material, path, (error as Error).message);
  }
}

async function readJsonOrYaml(material: PolicyMaterial, path: string): Promise<unknown> {
  await refuseLarge(material, path);
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    try {
      const YAML = await import('yaml');
      // The same alias limit the kinds parse with: a billion-laughs file cannot blow up evaluation either.
      return YAML.parse(text, { maxAliasCount: 100 });
    } catch (error) {
      throw unreadable(material, path, `it is neither JSON nor YAML (${(error as Error).message})`);
    }
  }
}

async function readJsonLines(material: PolicyMaterial, path: string): Promise<unknown> {
  await refuseLarge(material, path);
  try {
    return parseTrufflehogFindings(await readFile(path, 'utf8'));
  } catch (error) {
    throw unreadable(material, path, (error as Error).message);
  }
}

async function readJUnit(material: PolicyMaterial, path: string): Promise<JUnitReport> {
  const isXml = (entry: string) => entry.toLowerCase().endsWith('.xml') && !basename(entry).startsWith('._');
  const format = await sniffFormat(fileOf(path));
  let texts: string[];
  if (format === 'zip') texts = (await readZipEntries(path, isXml)).map((entry) => entry.content.toString('utf8'));
  else if (format === 'gzip')
    texts = (await readTarEntries(path, isXml)).map((entry) => entry.content.toString('utf8'));
  else {
    await refuseLarge(material, path);
    texts = [await readFile(path, 'utf8')];
  }
  return mergeReports(await Promise.all(texts.map(parseJUnitReport)));
}

async function refuseLarge(material: PolicyMaterial, path: string): Promise<void> {
  const { size } = await stat(path);
  if (size > MAX_PARSED_DOCUMENT_BYTES) {
    throw unreadable(material, path, `${size} bytes is more than policies parse (${MAX_PARSED_DOCUMENT_BYTES})`);
  }
}

function unreadable(material: PolicyMaterial, path: string, reason: string): ChainloopError {
  return new ChainloopError(
    'POLICY_INPUT_UNREADABLE',
    `material "${material.name}": policies cannot read ${path}: ${reason}: add the material again from a readable file`,
    { graceful: false },
  );
}
