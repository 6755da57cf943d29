import { isObject, nonEmptyString } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { NO_STRICT_VALIDATION_OPTION } from './sbom-cyclonedx';
import { readJsonOrYamlObject } from './structured-document';

/**
 * An OpenAPI document, JSON or YAML: `openapi` (3.x) or `swagger` (2.0) as a string, then the official schema of
 * its version (2.0, 3.0, 3.1, 3.2), unless strict validation is off. Annotations: spec version, API name and version.
 */
export const openApiSpecKind: MaterialKind = {
  kind: 'OPENAPI_SPEC',
  detectionOrder: 13,
  async inspect(input) {
    const { file, doc } = await readJsonOrYamlObject(input, 'OPENAPI_SPEC');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'OPENAPI_SPEC', reason);
    const specVersion = typeof doc.openapi === 'string' ? doc.openapi : doc.swagger;
    if (typeof specVersion !== 'string') throw refuse('it has no "openapi" or "swagger" version');
    if (input.options?.[NO_STRICT_VALIDATION_OPTION] !== true) {
      const failure = await validate(doc, specVersion);
      if (failure !== undefined) throw refuse(`OpenAPI ${specVersion} schema validation failed: ${failure}`);
    }
    const annotations: Record<string, string> = {};
    if (specVersion !== '') annotations['chainloop.material.api.spec_version'] = specVersion;
    if (isObject(doc.info)) {
      if (nonEmptyString(doc.info.title)) annotations['chainloop.material.api.name'] = doc.info.title;
      if (nonEmptyString(doc.info.version)) annotations['chainloop.material.api.version'] = doc.info.version;
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};

async function validate(doc: Record<string, unknown>, specVersion: string): Promise<string | undefined> {
  // Imported on use: the schemas (~300 KB, packed with their ajv in the CLI bundle) cost every other `add` otherwise.
  const validators = await (await import('./api-spec-schemas')).openApiValidators();
  if (typeof doc.swagger === 'string' && typeof doc.openapi !== 'string') return validators['2.0'](doc);
  if (/^3\.0\.\d+(-.+)?$/.test(specVersion)) return validators['3.0'](doc);
  if (/^3\.1\.\d+(-.+)?$/.test(specVersion)) return validators['3.1'](doc);
  if (/^3\.2\.\d+(-.+)?$/.test(specVersion)) return validators['3.2'](doc);
  return `/openapi "${specVersion}" is not a version of 2.0, 3.0, 3.1 or 3.2`;
}
