import { readFile } from 'node:fs/promises';
import { ArchiveError } from './archive-entries';
import type { MaterialKind } from './kind';
import { archiveFiles, containerOf } from './material-archive';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';

const VERSION = /Test Engine Version:\s*\$Rev:\s*([0-9]+)/i;
const LINE_SIGNS = [
  /^Testing COM Object - (\{[^}]+\}|[0-9A-Fa-f-]+)\s*(.*)$/,
  /^(\{[^}]+\})-(.*)$/,
  /^ERROR - (.*?)\s*\((0x[0-9A-Fa-f]+)\)\s*$/,
  /^(.+?) at (0x[0-9A-Fa-f]+) :Bad (read|write) on (0x[0-9A-Fa-f]+)$/,
  /^(.+?) \(code ([0-9A-Fa-f]+)\) at (0x[0-9A-Fa-f]+)$/,
];

/**
 * Chainloop's soft fingerprint of dranzer output (free-form text, often not UTF-8): a test-engine version banner,
 * a COM object, a finding, or the run summary. Returns the engine version ('' when none) or undefined.
 */
function dranzerReport(content: Buffer): { version: string } | undefined {
  const text = content.toString('latin1');
  const version = VERSION.exec(text)?.[1] ?? '';
  if (version !== '') return { version };
  const lines = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trim());
  const found = lines.some((line) => line !== '' && LINE_SIGNS.some((sign) => sign.test(line)));
  // The banner and summary count only at the start of a line: the run's CSV companion quotes them inside cells.
  const banner = lines.some(
    (line) => line.startsWith('Testing COM Object -') || line.startsWith('Number of COM Objects'),
  );
  if (found || banner) return { version };
  return undefined;
}

/**
 * A CERT/CC dranzer report, or a zip/tar(.gz) of one run's per-mode reports (companion files such as the CSV are
 * not counted). Annotations: tool dranzer, its engine version, and the number of reports.
 */
export const certccDranzerKind: MaterialKind = {
  kind: 'CERTCC_DRANZER',
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'CERTCC_DRANZER', reason);
    const container = await containerOf(file);
    let reports: { name: string; version: string }[];
    if (container === 'none') {
      const report = dranzerReport(await readFile(file.path));
      reports = report ? [{ name: '', ...report }] : [];
    } else {
      try {
        const entries = container === 'gzip' ? await archiveFiles(file, 'tar') : await archiveFiles(file, container);
        if (entries.length > 256) throw refuse('the archive has more than 256 entries: archive the reports of one run');
        reports = entries.flatMap((entry) => {
          const report = dranzerReport(entry.content);
          return report ? [{ name: entry.path, ...report }] : [];
        });
      } catch (error) {
        if (error instanceof ArchiveError) throw refuse(error.message);
        throw error;
      }
    }
    if (reports.length === 0) throw refuse('it does not look like dranzer output');
    // The version of the first report by entry name that declares one, as Chainloop's projection orders them.
    const version = reports
      .filter((report) => report.version !== '')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]?.version;
    const annotations: Record<string, string> = { 'chainloop.material.tool.name': 'dranzer' };
    if (version) annotations['chainloop.material.tool.version'] = version;
    annotations['chainloop.material.dranzer.reports.count'] = String(reports.length);
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
