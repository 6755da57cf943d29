import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * CHAINLOOP_PR_INFO, structural checks only: a JSON object whose `data` object has the fields PR-info 1.3 requires
 * (platform, type, number, url), as init's pull request collectors (runners/pr-info.ts) write it. A placeholder so
 * that init's collected material validates on its own branch: it is replaced at merge by the full validator of issue
 * 21's kinds (`data` against Chainloop's PR-info 1.3 schema). Never auto-detected, as in Chainloop.
 */
export const chainloopPrInfoKind: MaterialKind = {
  kind: 'CHAINLOOP_PR_INFO',
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_PR_INFO');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_PR_INFO', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!isObject(json.data)) throw refuse('it has no "data" object');
    for (const field of ['platform', 'type', 'number', 'url']) {
      if (!nonEmptyString(json.data[field])) throw refuse(`"data.${field}" is missing or empty`);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
