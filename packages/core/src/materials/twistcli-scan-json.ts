import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/** A Prisma Cloud `twistcli` scan (`--output-file`): `results` and the `consoleURL` of the console it reported to. */
export const twistcliScanJsonKind: MaterialKind = {
  kind: 'TWISTCLI_SCAN_JSON',
  detectionOrder: 22,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'TWISTCLI_SCAN_JSON');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'TWISTCLI_SCAN_JSON', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (json.results === undefined || json.results === null) throw refuse('results is missing');
    if (!nonEmptyString(json.consoleURL)) throw refuse('consoleURL is missing');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
