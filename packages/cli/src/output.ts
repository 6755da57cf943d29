import { renderBoxTable } from './box-table';
import { writeStderr, writeStdout } from './stdio';

/** Results go to stdout; log lines (`INF …`, `WRN …`, `ERR …`) go to stderr, as in the seed. */
export type OutputFormat = 'table' | 'json';

export const log = {
  info(message: string): void {
    writeStderr(`INF ${message}\n`);
  },
  warn(message: string): void {
    writeStderr(`WRN ${message}\n`);
  },
  error(message: string): void {
    writeStderr(`ERR ${message}\n`);
  },
};

export function printJson(value: unknown): void {
  writeStdout(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text: string): void {
  writeStdout(`${text}\n`);
}

export type Cell = string | number | boolean | null | undefined;

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** A key/value table like the seed's "Initialized At / Workflow / …" block, or its titled "Env Variables". */
export function renderKeyValueTable(rows: Array<[string, Cell]>, title?: string): string {
  const body = rows.map(([key, value]) => [key, cellText(value)]);
  if (body.length === 0) body.push(['', '']);
  // The seed's look: a rule under the first row (or the title), none between data rows.
  return renderBoxTable(body, { title, ruleAfter: [1] });
}

/** A titled grid like the seed's "Materials" table (NAME, TYPE, SET, …). */
export function renderGridTable(title: string | undefined, head: string[], rows: Cell[][]): string {
  return renderBoxTable([head, ...rows.map((row) => row.map(cellText))], { title, ruleAfter: title ? [1, 2] : [1] });
}
