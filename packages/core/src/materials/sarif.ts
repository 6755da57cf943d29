import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { toolAnnotations } from './tool-annotations';

/** SARIF 2.1.0: `$schema`, `version` and a runs list; the first run's driver names the tool. */
export const sarifKind: MaterialKind = {
  kind: 'SARIF',
  detectionOrder: 20,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'SARIF');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'SARIF', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!nonEmptyString(json.$schema)) throw refuse('$schema is missing');
    if (json.version !== '2.1.0') throw refuse(`version is ${JSON.stringify(json.version ?? null)}, expected "2.1.0"`);
    if (!Array.isArray(json.runs)) throw refuse('runs is missing');
    const [run] = json.runs;
    const driver = isObject(run) && isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : undefined;
    if (json.runs.length > 0 && !nonEmptyString(driver?.name)) throw refuse('runs[0].tool.driver.name is missing');
    const version = driver?.version ?? driver?.semanticVersion;
    const annotations = driver
      ? toolAnnotations([{ name: driver.name as string, version: typeof version === 'string' ? version : undefined }])
      : {};
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
