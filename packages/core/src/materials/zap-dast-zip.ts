import { ArchiveError, readZipEntries } from './archive-entries';
import { fileFormat, isObject } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';

const ZAP_REPORT = 'report_json.json';

/**
 * The zip a ZAP DAST scan leaves (the ZAP GitHub actions' `zap_scan.zip`): it holds a `report_json.json`, in any
 * folder, whose `@programName` is `ZAP`. The zip itself is what gets uploaded.
 */
export const zapDastZipKind: MaterialKind = {
  kind: 'ZAP_DAST_ZIP',
  detectionOrder: 23,
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'ZAP_DAST_ZIP', reason, cause);
    if ((await fileFormat(input, file)) !== 'zip') throw refuse('it is not a zip archive');
    let reports: { path: string; content: Buffer }[];
    try {
      // The first entry named report_json.json counts, wherever it sits, as in the original.
      reports = await readZipEntries(file.path, (path) => path.split('/').pop() === ZAP_REPORT);
    } catch (error) {
      if (error instanceof ArchiveError) throw refuse(error.message, error);
      throw error;
    }
    const [report] = reports;
    if (report === undefined || report.content.length === 0) throw refuse(`the zip holds no ${ZAP_REPORT}`);
    let json: unknown;
    try {
      json = JSON.parse(report.content.toString('utf8'));
    } catch (error) {
      throw refuse(`${report.path} is not valid JSON (${(error as Error).message})`, error);
    }
    const programName = isObject(json) ? json['@programName'] : undefined;
    if (programName !== 'ZAP') {
      throw refuse(`${report.path}: @programName is ${JSON.stringify(programName ?? null)}, expected "ZAP"`);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
