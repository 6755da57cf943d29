import { isObject } from './file-content';
import { readJsonArrayReport } from './json-array-report';
import type { MaterialKind } from './kind';

/**
 * GitHub Advanced Security Dependabot alerts (the REST API's list of alerts): every one names the vulnerable
 * `dependency`. An empty list is accepted. Never auto-detected.
 */
export const ghasDependencyScanKind: MaterialKind = {
  kind: 'GHAS_DEPENDENCY_SCAN',
  async inspect(input) {
    const { file, first, findings, refuse } = await readJsonArrayReport(input, 'GHAS_DEPENDENCY_SCAN');
    if (findings.length > 0 && !isObject(first?.dependency)) {
      throw refuse('the first alert has no "dependency" object');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
