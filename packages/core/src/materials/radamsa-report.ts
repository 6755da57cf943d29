import { readFile } from 'node:fs/promises';
import { ArchiveError } from './archive-entries';
import type { MaterialKind } from './kind';
import { archiveFiles, containerOf, gunzippedSingle } from './material-archive';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';

/** Splits a -M line on ", " outside double quotes (a backslash escapes the next character). */
function pairs(line: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      current += c + line[i + 1];
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && c === ',' && line[i + 1] === ' ') {
      parts.push(current);
      current = '';
      i++;
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Counts the records of a radamsa -M log (run headers, the `seed:` lines, excluded); throws on a malformed line. */
export function countRadamsaRecords(text: string): number {
  let records = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const keys = pairs(line)
      .map((pair) => pair.trim())
      .filter((pair) => pair !== '')
      .map((pair) => {
        const colon = pair.indexOf(': ');
        if (colon >= 0) return pair.slice(0, colon).trim();
        if (pair.endsWith(':')) return pair.slice(0, -1).trim();
        throw new Error(`invalid radamsa -M pair: ${JSON.stringify(pair.slice(0, 80))}`);
      });
    if (keys.length === 0) throw new Error(`invalid radamsa -M line: ${JSON.stringify(line.slice(0, 80))}`);
    if (!keys.includes('seed')) records++;
  }
  return records;
}

/**
 * radamsa's -M metadata log: a single log, a gzipped log, or a zip/tar(.gz) of logs, every line `key: value` pairs
 * separated by ", " (an empty log is a run of zero iterations). Annotation: tool radamsa.
 */
export const radamsaReportKind: MaterialKind = {
  kind: 'RADAMSA_REPORT',
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'RADAMSA_REPORT', `invalid radamsa -M metadata log: ${reason}`);
    try {
      const container = await containerOf(file);
      const single = container === 'gzip' ? await gunzippedSingle(file) : undefined;
      if (container === 'none' || single !== undefined) {
        const bytes = single ?? (await readFile(file.path));
        if (bytes.includes(0)) throw new Error('it is binary, not a text log');
        countRadamsaRecords(bytes.toString('utf8'));
      } else {
        for (const entry of await archiveFiles(file, container === 'zip' ? 'zip' : 'tar')) {
          countRadamsaRecords(entry.content.toString('utf8'));
        }
      }
    } catch (error) {
      if (error instanceof ArchiveError || error instanceof Error) throw refuse(error.message);
      throw error;
    }
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: { 'chainloop.material.tool.name': 'radamsa' },
    };
  },
};
