// Drawn here, not with the `table` library: it spent 5–9 ms of a ~45 ms command start laying out three small tables
// (bench/ §2). This draws the same characters (test/box-table.test.ts compares the two byte for byte) in well under 1 ms.
import stringWidth from 'string-width';

export interface BoxTableOptions {
  /** A first row spanning every column. */
  title?: string;
  /** Horizontal rules drawn before these row indexes (counting the title row); the outer rules are always drawn. */
  ruleAfter: number[];
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Control characters would move the cursor or recolour the terminal: a value is shown, never obeyed.
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;

function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === '\t') return '\\t';
    if (char === '\r') return '\\r';
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function widthOf(line: string): number {
  return PRINTABLE_ASCII.test(line) ? line.length : stringWidth(line);
}

function pad(line: string, width: number): string {
  return line + ' '.repeat(Math.max(0, width - widthOf(line)));
}

/**
 * A table in go-pretty's light box, as the seed shows them: one space of padding, `│` between cells, rules only where
 * asked. A cell with newlines spans several lines.
 */
export function renderBoxTable(rows: string[][], options: BoxTableOptions): string {
  const columns = Math.max(1, ...rows.map((row) => row.length));
  // A title over a single column is just its first row.
  const spanningTitle = options.title !== undefined && columns > 1 ? options.title : undefined;
  const body = options.title !== undefined && columns === 1 ? [[options.title], ...rows] : rows;
  const cells = body.map((row) =>
    Array.from({ length: columns }, (_, column) => escapeControl(row[column] ?? '').split('\n')),
  );
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...cells.map((row) => Math.max(...row[column].map(widthOf)))),
  );
  const titleLines = spanningTitle === undefined ? [] : escapeControl(spanningTitle).split('\n');
  // Like `table`, a title wider than the columns widens the last one.
  const titleWidth = Math.max(0, ...titleLines.map(widthOf));
  const columnsWidth = () => widths.reduce((sum, width) => sum + width + 3, -3);
  if (titleWidth > columnsWidth()) widths[columns - 1] += titleWidth - columnsWidth();
  const inner = columnsWidth();
  const segments = (fill: string) => widths.map((width) => fill.repeat(width + 2));
  const rules = new Set(options.ruleAfter);
  const lines: string[] = [];
  if (spanningTitle !== undefined) {
    lines.push(`┌${'─'.repeat(inner + 2)}┐`);
    for (const line of titleLines) lines.push(`│ ${pad(line, inner)} │`);
    if (cells.length === 0) {
      lines.push(`└${'─'.repeat(inner + 2)}┘`);
      return lines.join('\n');
    }
    if (rules.has(1)) lines.push(`├${segments('─').join('┬')}┤`);
  } else {
    lines.push(`┌${segments('─').join('┬')}┐`);
  }
  // Rule indexes count the title as row 0.
  const firstRow = spanningTitle === undefined ? 0 : 1;
  cells.forEach((row, index) => {
    if (index > 0 && rules.has(firstRow + index)) lines.push(`├${segments('─').join('┼')}┤`);
    const height = Math.max(...row.map((cell) => cell.length));
    for (let line = 0; line < height; line++) {
      lines.push(`│ ${row.map((cell, column) => pad(cell[line] ?? '', widths[column])).join(' │ ')} │`);
    }
  });
  lines.push(`└${segments('─').join('┴')}┘`);
  return lines.join('\n');
}
