import { fileFormat, isObject, MAX_PARSED_DOCUMENT_BYTES, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { requireMaterialFile } from './material-file';

export const ANNOTATION_EVIDENCE_ID = 'chainloop.material.evidence.id';
export const ANNOTATION_EVIDENCE_SCHEMA = 'chainloop.material.evidence.schema';

/**
 * Any non-empty file. A JSON document of the form `{id, schema?, data}` (Chainloop's custom evidence) also records
 * its id and schema. Never auto-detected.
 */
export const evidenceKind: MaterialKind = {
  kind: 'EVIDENCE',
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const result = { shape: 'file' as const, path: file.path, fileName: file.fileName, annotations: {} };
    if (file.size > MAX_PARSED_DOCUMENT_BYTES || (await fileFormat(input, file)) !== 'json') return result;
    let json: unknown;
    try {
      ({ json } = await readJsonMaterial(input, 'EVIDENCE'));
    } catch {
      return result;
    }
    if (!isObject(json) || json.data === undefined) return result;
    const id = json.id ?? json[ANNOTATION_EVIDENCE_ID];
    if (!nonEmptyString(id)) return result;
    const annotations: Record<string, string> = { [ANNOTATION_EVIDENCE_ID]: id };
    if (nonEmptyString(json.schema)) annotations[ANNOTATION_EVIDENCE_SCHEMA] = json.schema;
    return { ...result, annotations };
  },
};
