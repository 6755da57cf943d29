import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { ANNOTATION_TOOL_NAME } from './tool-annotations';

/** The scan types a report's findings cover, comma-separated and sorted (`iac,sast,sca`). */
export const ANNOTATION_SCAN_TYPES = 'chainloop.material.scan.types';

/**
 * Checkmarx names its engines by product; the annotation uses the same category names as other scanners' kinds, and
 * an engine missing here is left out rather than passed through (a policy must not take an unknown engine for one).
 */
const ENGINE_SCAN_TYPES: Record<string, string> = {
  sast: 'sast',
  sca: 'sca',
  kics: 'iac',
  containers: 'container',
  sscs: 'supply-chain',
};

/**
 * A Checkmarx One native JSON report (`cx scan … --report-format json`): a `scanID` and a `results` key, which is
 * an empty list or null for a clean scan; every result has a `type` (the engine) and `data`. Never auto-detected.
 */
export const checkmarxJsonKind: MaterialKind = {
  kind: 'CHECKMARX_JSON',
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHECKMARX_JSON');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'CHECKMARX_JSON', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    if (!nonEmptyString(json.scanID)) throw refuse('scanID is missing');
    // `"results": null` is what the Checkmarx CLI writes when a filter leaves no finding: a clean scan, not a refusal.
    if (!('results' in json)) throw refuse('results is missing');
    const results = json.results ?? [];
    if (!Array.isArray(results)) throw refuse('results is not a list');
    const scanTypes = new Set<string>();
    for (const [index, result] of results.entries()) {
      if (!isObject(result) || !nonEmptyString(result.type) || !('data' in result)) {
        throw refuse(`result ${index} has no type or no data`);
      }
      const scanType = ENGINE_SCAN_TYPES[result.type.toLowerCase()];
      if (scanType !== undefined) scanTypes.add(scanType);
    }
    const annotations: Record<string, string> = { [ANNOTATION_TOOL_NAME]: 'checkmarx' };
    if (scanTypes.size > 0) annotations[ANNOTATION_SCAN_TYPES] = [...scanTypes].sort().join(',');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
