import { isObject, nonEmptyString } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { NO_STRICT_VALIDATION_OPTION } from './sbom-cyclonedx';
import { readJsonOrYamlObject } from './structured-document';

/**
 * An AsyncAPI document, JSON or YAML: `asyncapi` as a string, then the official 3.0 schema, else 2.6 (Chainloop's
 * order), unless strict validation is off. Annotations: spec version, API name and version, and the protocol of the
 * first server by name.
 */
export const asyncApiSpecKind: MaterialKind = {
  kind: 'ASYNCAPI_SPEC',
  detectionOrder: 14,
  async inspect(input) {
    const { file, doc } = await readJsonOrYamlObject(input, 'ASYNCAPI_SPEC');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'ASYNCAPI_SPEC', reason);
    if (typeof doc.asyncapi !== 'string') throw refuse('it has no "asyncapi" version');
    if (input.options?.[NO_STRICT_VALIDATION_OPTION] !== true) {
      // Imported on use, as in openapi-spec.ts.
      const validators = await (await import('./api-spec-schemas')).asyncApiValidators();
      const as30 = validators['3.0'](doc);
      const as26 = as30 === undefined ? undefined : validators['2.6'](doc);
      if (as30 !== undefined && as26 !== undefined) {
        throw refuse(`AsyncAPI schema validation failed: ${doc.asyncapi.startsWith('3.') ? as30 : as26}`);
      }
    }
    const annotations: Record<string, string> = {};
    if (doc.asyncapi !== '') annotations['chainloop.material.api.spec_version'] = doc.asyncapi;
    if (isObject(doc.info)) {
      if (nonEmptyString(doc.info.title)) annotations['chainloop.material.api.name'] = doc.info.title;
      if (nonEmptyString(doc.info.version)) annotations['chainloop.material.api.version'] = doc.info.version;
    }
    if (isObject(doc.servers)) {
      const servers = doc.servers;
      const protocol = Object.keys(servers)
        .sort()
        .map((name) => servers[name])
        .find((server) => isObject(server) && nonEmptyString(server.protocol)) as { protocol: string } | undefined;
      if (protocol) annotations['chainloop.material.api.protocol'] = protocol.protocol;
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
