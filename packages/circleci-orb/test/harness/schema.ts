import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const schemaFile = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'fixtures',
  'schemas',
  'circleci-config.schema.json',
);

let validator: ValidateFunction | undefined;

/**
 * CircleCI's config schema (circleci-yaml-language-server, vendored in fixtures/schemas): it accepts a packed orb
 * as well as a config. strict:false because the schema uses keywords ajv's strict mode rejects.
 */
export function validateCircleCiConfig(document: unknown): { valid: boolean; errors: ErrorObject[] } {
  if (!validator) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  }
  const valid = validator(document) as boolean;
  return { valid, errors: validator.errors ?? [] };
}

/** The errors, one line each, for assertion messages. */
export function formatErrors(errors: ErrorObject[]): string {
  return errors.map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('\n');
}
