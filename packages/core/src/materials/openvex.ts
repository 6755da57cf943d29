import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/** OpenVEX: an `@context` in the openvex.dev namespace, a non-empty `@id` and a statements list. */
export const openVexKind: MaterialKind = {
  kind: 'OPENVEX',
  detectionOrder: 1,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'OPENVEX');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'OPENVEX', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    const context = json['@context'];
    if (typeof context !== 'string' || !context.startsWith('https://openvex.dev/ns')) {
      throw refuse('@context is not an https://openvex.dev/ns namespace');
    }
    if (!nonEmptyString(json['@id'])) throw refuse('@id is missing');
    if (json.statements !== undefined && !Array.isArray(json.statements)) throw refuse('statements is not a list');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
