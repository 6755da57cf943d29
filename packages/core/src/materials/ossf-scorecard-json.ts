import type { ValidateFunction } from 'ajv';
import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { NO_STRICT_VALIDATION_OPTION } from './sbom-cyclonedx';
import { ANNOTATION_TOOL_NAME, ANNOTATION_TOOL_VERSION } from './tool-annotations';

export const ANNOTATION_SCORECARD_SCORE = 'chainloop.material.scorecard.score';

const string = { type: 'string' };

/**
 * What `scorecard --format json` writes (its v2 result), as the original checks it: the OpenSSF Scorecard v2 schema
 * with `details` and `metadata` allowed to be null, as real reports have them. Additional fields are allowed.
 */
const SCORECARD_V2_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['date', 'repo', 'scorecard', 'score', 'checks'],
  properties: {
    date: string,
    repo: { type: 'object', required: ['name'], properties: { name: string, commit: string } },
    scorecard: { type: 'object', required: ['version', 'commit'], properties: { version: string, commit: string } },
    score: { type: 'number' },
    metadata: { type: ['array', 'null'], items: string },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['score', 'reason', 'name', 'documentation'],
        properties: {
          name: string,
          reason: string,
          score: { type: 'integer' },
          details: { type: ['array', 'null'], items: string },
          documentation: { type: 'object', required: ['url', 'short'], properties: { url: string, short: string } },
        },
      },
    },
  },
} as const;

let validator: Promise<ValidateFunction> | undefined;

/** Compiled on first use: ajv loads only when a scorecard report is added. */
function scorecardValidator(): Promise<ValidateFunction> {
  validator ??= import('ajv').then(({ default: Ajv }) => new Ajv({ allErrors: false }).compile(SCORECARD_V2_SCHEMA));
  return validator;
}

/**
 * An OpenSSF Scorecard JSON result: it names the scorecard version that produced it, and must satisfy the Scorecard
 * v2 schema (skipped with `--no-strict-validation`). Records the tool, its version and the aggregate score.
 */
export const ossfScorecardJsonKind: MaterialKind = {
  kind: 'OSSF_SCORECARD_JSON',
  detectionOrder: 12,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'OSSF_SCORECARD_JSON');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'OSSF_SCORECARD_JSON', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!isObject(json.scorecard) || !nonEmptyString(json.scorecard.version))
      throw refuse('scorecard.version is missing');
    if (input.options?.[NO_STRICT_VALIDATION_OPTION] !== true) {
      const validate = await scorecardValidator();
      if (!validate(json)) {
        const [error] = validate.errors ?? [];
        const where = error?.instancePath ? `${error.instancePath} ` : '';
        throw refuse(`Scorecard v2 schema validation failed: ${where}${error?.message ?? 'invalid'}`);
      }
    }
    const annotations: Record<string, string> = {
      [ANNOTATION_TOOL_NAME]: 'scorecard',
      [ANNOTATION_TOOL_VERSION]: json.scorecard.version,
    };
    if (typeof json.score === 'number') annotations[ANNOTATION_SCORECARD_SCORE] = String(json.score);
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
