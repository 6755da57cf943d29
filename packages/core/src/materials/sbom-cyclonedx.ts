import { parseImageReference } from '../oci/reference';
import { validateCycloneDxSchema } from './cyclonedx-schema-validator';
import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { type ToolInfo, toolAnnotations } from './tool-annotations';

export const ANNOTATION_MAIN_COMPONENT_PREFIX = 'chainloop.material.sbom.main_component';
export const ANNOTATION_VULNERABILITIES_REPORT = 'chainloop.material.sbom.vulnerabilities_report';
const TRIVY_REPO_DIGEST = 'aquasecurity:trivy:RepoDigest';

/** Option key: `true` turns schema failures into an accepted file (`--no-strict-validation`). */
export const NO_STRICT_VALIDATION_OPTION = 'noStrictValidation';

/** CycloneDX JSON: quick shape checks, then the CycloneDX 1.6 JSON schema; main component and tools extracted. */
export const sbomCycloneDxKind: MaterialKind = {
  kind: 'SBOM_CYCLONEDX_JSON',
  detectionOrder: 2,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'SBOM_CYCLONEDX_JSON');
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'SBOM_CYCLONEDX_JSON', reason, cause);
    if (!isObject(json) || json.bomFormat !== 'CycloneDX') throw refuse('bomFormat is not "CycloneDX"');
    if (!nonEmptyString(json.specVersion)) throw refuse('specVersion is missing');
    if (typeof json.version !== 'number' || json.version < 1) throw refuse('version must be a number >= 1');
    if (input.options?.[NO_STRICT_VALIDATION_OPTION] !== true) {
      const failure = await validateCycloneDxSchema(json, json.specVersion);
      if (failure !== undefined) throw refuse(`CycloneDX schema validation failed: ${failure}`);
    }
    const metadata = isObject(json.metadata) ? json.metadata : {};
    const annotations: Record<string, string> = {
      ...mainComponentAnnotations(metadata.component),
      ...toolAnnotations(cycloneDxTools(metadata.tools)),
    };
    if ('vulnerabilities' in json) annotations[ANNOTATION_VULNERABILITIES_REPORT] = 'true';
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};

function mainComponentAnnotations(component: unknown): Record<string, string> {
  if (!isObject(component) || !nonEmptyString(component.name)) return {};
  const type = typeof component.type === 'string' ? component.type : '';
  let name = component.name;
  let version = typeof component.version === 'string' ? component.version : '';
  if (version === '' && Array.isArray(component.properties)) {
    // Trivy leaves the version empty for images and records `<repo>@sha256:<hex>` in this property instead.
    const digest = component.properties.find((p) => isObject(p) && p.name === TRIVY_REPO_DIGEST) as
      | { value?: unknown }
      | undefined;
    const at = typeof digest?.value === 'string' ? digest.value.indexOf('sha256:') : -1;
    if (at >= 0) version = (digest!.value as string).slice(at);
  }
  if (type === 'container') {
    const repository = containerRepository(name);
    if (repository === undefined) return {};
    name = repository;
  }
  return {
    [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.name`]: name,
    ...(type === '' ? {} : { [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.type`]: type }),
    ...(version === '' ? {} : { [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.version`]: version }),
  };
}

/** The fully qualified repository without tag or digest, as the original records an image main component. */
export function containerRepository(name: string): string | undefined {
  try {
    return parseImageReference(name).name;
  } catch {
    return undefined;
  }
}

/** 1.5+ lists tools under `metadata.tools.components`; 1.4 and earlier make `metadata.tools` an array. */
function cycloneDxTools(tools: unknown): ToolInfo[] {
  const list = Array.isArray(tools)
    ? tools
    : isObject(tools) && Array.isArray(tools.components)
      ? tools.components
      : [];
  return list.filter(isObject).map((tool) => ({
    name: typeof tool.name === 'string' ? tool.name : '',
    version: typeof tool.version === 'string' ? tool.version : undefined,
  }));
}
