import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { ANNOTATION_TOOL_NAME, ANNOTATION_TOOL_VERSION } from './tool-annotations';

const isObjectOrNull = (value: unknown) => value === null || isObject(value);

/**
 * A Yelp detect-secrets baseline (`.secrets.baseline`): its `version`, the `plugins_used` list and the `results` map
 * (file → list of secrets; empty for a clean scan) are always there. The tool and its version (the baseline's
 * `version` is detect-secrets' own) are recorded under the legacy keys, as the original does.
 */
export const yelpDetectSecretsBaselineKind: MaterialKind = {
  kind: 'YELP_DETECT_SECRETS_BASELINE',
  detectionOrder: 10,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'YELP_DETECT_SECRETS_BASELINE');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'YELP_DETECT_SECRETS_BASELINE', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!nonEmptyString(json.version)) throw refuse('version is missing');
    if (!Array.isArray(json.plugins_used) || !json.plugins_used.every(isObjectOrNull)) {
      throw refuse('plugins_used is not a list of plugins');
    }
    const results = json.results;
    if (
      !isObject(results) ||
      !Object.values(results).every(
        (secrets) => secrets === null || (Array.isArray(secrets) && secrets.every(isObjectOrNull)),
      )
    ) {
      throw refuse('results is not a map of files to lists of secrets');
    }
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: { [ANNOTATION_TOOL_NAME]: 'detect-secrets', [ANNOTATION_TOOL_VERSION]: json.version },
    };
  },
};
