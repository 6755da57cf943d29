import type { ValidateFunction } from 'ajv';
import { readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
// Vendored data (schemas/README.md): the runner-context-response 0.1 schema Chainloop embeds (draft-07).
import runnerContextSchema from './schemas/runner-context-response-0.1.schema.json';

let validator: ValidateFunction | undefined;

async function runnerContextValidator(): Promise<ValidateFunction> {
  if (validator === undefined) {
    // Draft-07 is ajv's default dialect; the schema has no formats to assert.
    const { default: Ajv } = await import('ajv');
    validator = new Ajv({ strict: false, allErrors: false, logger: false }).compile(runnerContextSchema);
  }
  return validator;
}

/**
 * Chainloop's runner context: the whole JSON document must pass the runner-context-response 0.1 schema (meta with
 * an id, data with tool, provider and the repositories' branch/tag protection facts; no field outside the schema).
 */
export const chainloopRunnerContextKind: MaterialKind = {
  kind: 'CHAINLOOP_RUNNER_CONTEXT',
  detectionOrder: 25,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_RUNNER_CONTEXT');
    const validate = await runnerContextValidator();
    if (!validate(json)) {
      const [error] = validate.errors ?? [];
      const where = error?.instancePath || '/';
      const detail =
        error?.keyword === 'additionalProperties'
          ? `unexpected field "${(error.params as { additionalProperty: string }).additionalProperty}"`
          : (error?.message ?? 'is invalid');
      throw materialInvalid(
        input.name,
        `file ${file.given}`,
        'CHAINLOOP_RUNNER_CONTEXT',
        `it does not match the runner context schema: ${where} ${detail}`,
      );
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
