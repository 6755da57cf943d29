import Table from 'cli-table3';

/** Results go to stdout; log lines (`INF …`, `WRN …`, `ERR …`) go to stderr, as in the seed. */
export type OutputFormat = 'table' | 'json';

export const log = {
  info(message: string): void {
    process.stderr.write(`INF ${message}\n`);
  },
  warn(message: string): void {
    process.stderr.write(`WRN ${message}\n`);
  },
  error(message: string): void {
    process.stderr.write(`ERR ${message}\n`);
  },
};

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

export type Cell = string | number | boolean | null | undefined;

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

const plainStyle = { head: [] as string[], border: [] as string[] };

/** A key/value table like the seed's "Initialized At / Workflow / …" block. */
export function renderKeyValueTable(rows: Array<[string, Cell]>, title?: string): string {
  const table = new Table({ style: plainStyle });
  if (title) table.push([{ colSpan: 2, content: title }]);
  for (const [key, value] of rows) table.push([key, cellText(value)]);
  return table.toString();
}

/** A titled grid like the seed's "Materials" table (NAME, TYPE, SET, …). */
export function renderGridTable(title: string | undefined, head: string[], rows: Cell[][]): string {
  const table = new Table({ style: plainStyle });
  if (title) table.push([{ colSpan: head.length, content: title }]);
  table.push(head);
  for (const row of rows) table.push(row.map(cellText));
  return table.toString();
}
