import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * CHAINLOOP_RUNNER_CONTEXT, structural checks only: a JSON object with `meta.id` and `data.tool` / `data.provider`,
 * the top-level fields init's runner context (runners/runner-context.ts) writes. A placeholder so that init's
 * collected material validates on its own branch: it is replaced at merge by the full validator of issue 21's kinds
 * (the whole document against Chainloop's runner-context-response-0.1 schema, auto-detected at position 25), which
 * is why it takes no part in auto-detection here.
 */
export const chainloopRunnerContextKind: MaterialKind = {
  kind: 'CHAINLOOP_RUNNER_CONTEXT',
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_RUNNER_CONTEXT');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_RUNNER_CONTEXT', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!isObject(json.meta) || !nonEmptyString(json.meta.id)) throw refuse('it has no "meta" object with an "id"');
    if (!isObject(json.data)) throw refuse('it has no "data" object');
    for (const field of ['tool', 'provider']) {
      if (!nonEmptyString(json.data[field])) throw refuse(`"data.${field}" is missing or empty`);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
