import { isObject, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

const REQUIRED = ['detailedVulnerabilities', 'detailedProjectVersionCustomFields', 'detailedCodeLocations'];

/** A Black Duck SCA JSON report: the three `detailed*` sections its export always has, none of them null. */
export const blackduckScaJsonKind: MaterialKind = {
  kind: 'BLACKDUCK_SCA_JSON',
  detectionOrder: 21,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'BLACKDUCK_SCA_JSON');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'BLACKDUCK_SCA_JSON', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    const missing = REQUIRED.filter((key) => json[key] === undefined || json[key] === null);
    if (missing.length > 0) throw refuse(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
