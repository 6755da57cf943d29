import { isObject } from './file-content';
import { readJsonArrayReport } from './json-array-report';
import type { MaterialKind } from './kind';

/**
 * GitHub Advanced Security code scanning alerts (the REST API's list of alerts). Every code scanning alert names the
 * tool that raised it; an alert without `tool` is a secret or Dependabot alert. An empty list is accepted. Never
 * auto-detected: an empty list is also an empty gitleaks report.
 */
export const ghasCodeScanKind: MaterialKind = {
  kind: 'GHAS_CODE_SCAN',
  async inspect(input) {
    const { file, first, findings, refuse } = await readJsonArrayReport(input, 'GHAS_CODE_SCAN');
    if (findings.length > 0 && !isObject(first?.tool)) {
      throw refuse('the first alert has no "tool" object (secret scanning and Dependabot alerts have none)');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
