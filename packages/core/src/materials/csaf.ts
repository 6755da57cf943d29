import type { MaterialKindName } from '../contract/model';
import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { toolAnnotations } from './tool-annotations';

type CsafKindName = Extract<MaterialKindName, `CSAF_${string}`>;

/**
 * The four CSAF profiles are one format told apart by `document.category`, so they share this file. Checks the
 * fields CSAF 2.0/2.1 require of every document (JSON-schema validation is not done: no maintained npm package
 * ships the CSAF schemas).
 */
function csafKind(kind: CsafKindName, category: string, detectionOrder: number): MaterialKind {
  return {
    kind,
    detectionOrder,
    async inspect(input) {
      const { file, json } = await readJsonMaterial(input, kind);
      const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, kind, reason);
      if (!isObject(json) || !isObject(json.document)) throw refuse('it has no "document" object');
      const document = json.document;
      if (document.category !== category) {
        throw refuse(`document.category is ${JSON.stringify(document.category ?? null)}, expected "${category}"`);
      }
      if (document.csaf_version !== '2.0' && document.csaf_version !== '2.1') {
        throw refuse(
          `document.csaf_version is ${JSON.stringify(document.csaf_version ?? null)}, expected "2.0" or "2.1"`,
        );
      }
      if (!nonEmptyString(document.title)) throw refuse('document.title is missing');
      const publisher = document.publisher;
      if (!isObject(publisher) || !nonEmptyString(publisher.name) || !nonEmptyString(publisher.namespace)) {
        throw refuse('document.publisher needs a name and a namespace');
      }
      const tracking = document.tracking;
      if (!isObject(tracking)) throw refuse('document.tracking is missing');
      for (const field of ['id', 'status', 'version', 'current_release_date', 'initial_release_date']) {
        if (!nonEmptyString(tracking[field])) throw refuse(`document.tracking.${field} is missing`);
      }
      if (!Array.isArray(tracking.revision_history) || tracking.revision_history.length === 0) {
        throw refuse('document.tracking.revision_history is missing or empty');
      }
      const engine =
        isObject(tracking.generator) && isObject(tracking.generator.engine) ? tracking.generator.engine : {};
      const annotations = nonEmptyString(engine.name)
        ? toolAnnotations([
            { name: engine.name, version: typeof engine.version === 'string' ? engine.version : undefined },
          ])
        : {};
      return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
    },
  };
}

export const csafVexKind = csafKind('CSAF_VEX', 'csaf_vex', 4);
export const csafInformationalAdvisoryKind = csafKind('CSAF_INFORMATIONAL_ADVISORY', 'csaf_informational_advisory', 5);
export const csafSecurityAdvisoryKind = csafKind('CSAF_SECURITY_ADVISORY', 'csaf_security_advisory', 6);
export const csafSecurityIncidentResponseKind = csafKind(
  'CSAF_SECURITY_INCIDENT_RESPONSE',
  'csaf_security_incident_response',
  7,
);
