import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { ANNOTATION_MAIN_COMPONENT_PREFIX, containerRepository } from './sbom-cyclonedx';
import { type ToolInfo, toolAnnotations } from './tool-annotations';

/** SPDX 2.x JSON; the described package is the main component and `Tool:` creators are the tools. */
export const sbomSpdxKind: MaterialKind = {
  kind: 'SBOM_SPDX_JSON',
  detectionOrder: 3,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'SBOM_SPDX_JSON');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'SBOM_SPDX_JSON', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (typeof json.spdxVersion !== 'string' || !/^SPDX-2\.\d+$/.test(json.spdxVersion)) {
      throw refuse(`spdxVersion is ${JSON.stringify(json.spdxVersion ?? null)}, expected SPDX-2.x`);
    }
    if (json.SPDXID !== 'SPDXRef-DOCUMENT') throw refuse('SPDXID is not "SPDXRef-DOCUMENT"');
    if (!isObject(json.creationInfo) || !Array.isArray(json.creationInfo.creators)) {
      throw refuse('creationInfo.creators is missing');
    }
    for (const field of ['packages', 'relationships', 'files'] as const) {
      if (json[field] !== undefined && !Array.isArray(json[field])) throw refuse(`${field} is not a list`);
    }
    const annotations = {
      ...mainComponentAnnotations(json),
      ...toolAnnotations(spdxTools(json.creationInfo.creators)),
    };
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};

/** The first package the document DESCRIBES (relationship, or the older `documentDescribes` list). */
function mainComponentAnnotations(document: Record<string, unknown>): Record<string, string> {
  const relationships = Array.isArray(document.relationships) ? document.relationships.filter(isObject) : [];
  const described = [
    ...relationships
      .filter((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES')
      .map((r) => r.relatedSpdxElement),
    ...(Array.isArray(document.documentDescribes) ? document.documentDescribes : []),
  ];
  const packages = Array.isArray(document.packages) ? document.packages.filter(isObject) : [];
  const main = described.map((id) => packages.find((p) => p.SPDXID === id)).find((p) => p !== undefined);
  if (main === undefined || !nonEmptyString(main.name)) return {};
  const kind = typeof main.primaryPackagePurpose === 'string' ? main.primaryPackagePurpose.toLowerCase() : '';
  let name = main.name;
  if (kind === 'container') {
    const repository = containerRepository(name);
    if (repository === undefined) return {};
    name = repository;
  }
  const version = typeof main.versionInfo === 'string' ? main.versionInfo : '';
  return {
    [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.name`]: name,
    ...(kind === '' ? {} : { [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.type`]: kind }),
    ...(version === '' ? {} : { [`${ANNOTATION_MAIN_COMPONENT_PREFIX}.version`]: version }),
  };
}

/** `Tool: syft-0.100.0` → syft 0.100.0 (split on the first '-', as the original does). */
function spdxTools(creators: unknown[]): ToolInfo[] {
  return creators
    .filter((creator): creator is string => typeof creator === 'string' && creator.startsWith('Tool:'))
    .map((creator) => {
      const tool = creator.slice('Tool:'.length).trim();
      const dash = tool.indexOf('-');
      return dash < 0 ? { name: tool } : { name: tool.slice(0, dash), version: tool.slice(dash + 1) };
    });
}
