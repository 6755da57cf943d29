import { readJsonArrayReport } from './json-array-report';
import type { MaterialKind } from './kind';

/**
 * GitHub Advanced Security secret scanning alerts (the REST API's list of alerts): every one carries the
 * `secret_type` of the leaked credential. An empty list is accepted. Never auto-detected.
 */
export const ghasSecretScanKind: MaterialKind = {
  kind: 'GHAS_SECRET_SCAN',
  async inspect(input) {
    const { file, first, findings, refuse } = await readJsonArrayReport(input, 'GHAS_SECRET_SCAN');
    if (findings.length > 0 && typeof first?.secret_type !== 'string') {
      throw refuse('the first alert has no "secret_type" string');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
