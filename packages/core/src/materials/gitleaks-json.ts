import { nonEmptyString } from './file-content';
import { readJsonArrayReport } from './json-array-report';
import type { MaterialKind } from './kind';
import { ANNOTATION_TOOL_NAME } from './tool-annotations';

/**
 * A gitleaks JSON report (`gitleaks detect --report-format json`): a list of findings, each with a `Fingerprint`
 * (`<commit>:<file>:<rule>:<line>`); an empty list is a clean scan and is accepted. gitleaks writes no version in its
 * report, so only the tool name is recorded, and only under the legacy key, as the original does.
 */
export const gitleaksJsonKind: MaterialKind = {
  kind: 'GITLEAKS_JSON',
  detectionOrder: 9,
  async inspect(input) {
    const { file, first, findings, refuse } = await readJsonArrayReport(input, 'GITLEAKS_JSON');
    if (findings.length > 0 && !nonEmptyString(first?.Fingerprint)) {
      throw refuse('the first finding has no "Fingerprint" (gitleaks gives every finding one)');
    }
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: { [ANNOTATION_TOOL_NAME]: 'gitleaks' },
    };
  },
};
