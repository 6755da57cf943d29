import type * as TableModule from 'table';

/**
 * The table renderer is loaded before a command's action runs (a preAction hook in main.ts), not at start-up,
 * so `--version` and `--help` do not pay for it; rendering itself stays synchronous.
 */
let tables: typeof TableModule | undefined;
export async function loadTableRenderer(): Promise<void> {
  tables ??= await import('table');
}

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

/**
 * Tables drawn the way the seed shows them (go-pretty's light box): a rule under the first row (and under the
 * header of a titled grid), none between data rows.
 */
function render(rows: string[][], options: { title?: string; ruleAfter: number[] }): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const data = options.title ? [[options.title, ...Array(columns - 1).fill('')], ...rows] : rows;
  if (!tables) throw new Error('internal: loadTableRenderer() was not awaited before rendering a table');
  return tables
    .table(data, {
      border: tables.getBorderCharacters('norc'),
      drawHorizontalLine: (index, size) => index === 0 || index === size || options.ruleAfter.includes(index),
      spanningCells: options.title && columns > 1 ? [{ row: 0, col: 0, colSpan: columns }] : undefined,
    })
    .trimEnd();
}

/** A key/value table like the seed's "Initialized At / Workflow / …" block, or its titled "Env Variables". */
export function renderKeyValueTable(rows: Array<[string, Cell]>, title?: string): string {
  const body = rows.map(([key, value]) => [key, cellText(value)]);
  if (body.length === 0) body.push(['', '']);
  return render(body, { title, ruleAfter: [1] });
}

/** A titled grid like the seed's "Materials" table (NAME, TYPE, SET, …). */
export function renderGridTable(title: string | undefined, head: string[], rows: Cell[][]): string {
  return render([head, ...rows.map((row) => row.map(cellText))], { title, ruleAfter: title ? [1, 2] : [1] });
}
