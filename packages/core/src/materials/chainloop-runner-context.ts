import { isObject, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * Chainloop's runner context (runner-context-response 0.1): `meta` with a string `id`, and `data` (tool, provider,
 * repos). Chainloop validates the whole document against its JSON schema; that schema is not vendored yet, so these
 * are the structural checks its tests exercise (the missing-meta and missing-data documents are refused).
 */
export const chainloopRunnerContextKind: MaterialKind = {
  kind: 'CHAINLOOP_RUNNER_CONTEXT',
  detectionOrder: 25,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_RUNNER_CONTEXT');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_RUNNER_CONTEXT', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    const extra = Object.keys(json).find((key) => key !== 'meta' && key !== 'data');
    if (extra !== undefined) throw refuse(`unexpected field "${extra}"`);
    if (!isObject(json.meta) || typeof json.meta.id !== 'string') throw refuse('meta.id is missing');
    if (!isObject(json.data)) throw refuse('data is missing');
    for (const key of ['tool', 'provider'] as const) {
      if (json.data[key] !== undefined && typeof json.data[key] !== 'string')
        throw refuse(`data.${key} is not a string`);
    }
    if (json.data.repos !== undefined && !Array.isArray(json.data.repos)) throw refuse('data.repos is not an array');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
