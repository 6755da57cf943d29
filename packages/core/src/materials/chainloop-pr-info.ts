import type { ValidateFunction } from 'ajv';
import { isObject, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
// Vendored data (schemas/README.md): PR-info 1.3, the version Chainloop 40014e92 validates against.
import prInfoSchema from './schemas/pr-info-1.3.schema.json';

let validator: ValidateFunction | undefined;

async function prInfoValidator(): Promise<ValidateFunction> {
  if (validator === undefined) {
    const [{ default: Ajv }, { default: addFormats }] = await Promise.all([import('ajv'), import('ajv-formats')]);
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    validator = ajv.compile(prInfoSchema);
  }
  return validator;
}

/** The PR/MR evidence Chainloop records at init: a JSON envelope whose `data` passes the PR-info schema. */
export const chainloopPrInfoKind: MaterialKind = {
  kind: 'CHAINLOOP_PR_INFO',
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_PR_INFO');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_PR_INFO', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    const validate = await prInfoValidator();
    if (!validate(json.data ?? null)) {
      const [error] = validate.errors ?? [];
      throw refuse(
        `data does not match the PR info schema: ${error?.instancePath || '/'} ${error?.message ?? ''}`.trim(),
      );
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
