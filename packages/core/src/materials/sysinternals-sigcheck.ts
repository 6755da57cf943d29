import { open } from 'node:fs/promises';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';
import { ANNOTATION_TOOL_NAME } from './tool-annotations';

/** The header row is all that decides; this much of the file is enough to hold it, and keeps detection cheap. */
const HEAD_BYTES = 64 * 1024;

/**
 * A Sysinternals sigcheck report (`sigcheck -c` for CSV, `-ct` for tab-separated; UTF-8 or, as Windows writes it,
 * UTF-16 with a byte-order mark): its header names at least the `Path` and `Verified` columns. A header-only report
 * (nothing scanned) is accepted.
 */
export const sysinternalsSigcheckKind: MaterialKind = {
  kind: 'SYSINTERNALS_SIGCHECK',
  detectionOrder: 11,
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'SYSINTERNALS_SIGCHECK', reason);
    const text = decode(await readHead(file.path));
    if (text.trim() === '') throw refuse('it has no header row');
    const header = await headerRow(text);
    if (header === undefined) throw refuse('it is not CSV or TSV');
    const columns = new Set(header.map((column) => column.trim()));
    const missing = ['Path', 'Verified'].filter((column) => !columns.has(column));
    if (missing.length > 0) throw refuse(`the header has no ${missing.join(' or ')} column`);
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: { [ANNOTATION_TOOL_NAME]: 'sigcheck' },
    };
  },
};

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** UTF-16 when a byte-order mark says so, otherwise UTF-8 (a UTF-8 mark dropped); bad bytes become U+FFFD. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * The first record of the table, read as Go's encoding/csv reads it in the original: empty lines skipped, quotes
 * taken leniently, rows of any width. The delimiter is a tab when the first line has more tabs than commas outside
 * quotes, else a comma. Undefined when the text is not readable as CSV.
 */
async function headerRow(text: string): Promise<string[] | undefined> {
  const firstLine = text.split('\n', 1)[0];
  let commas = 0;
  let tabs = 0;
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) commas += 1;
    else if (char === '\t' && !quoted) tabs += 1;
  }
  const { parse } = await import('csv-parse/sync');
  try {
    const [header] = parse(text, {
      delimiter: tabs > commas ? '\t' : ',',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      to: 1,
    }) as string[][];
    return header;
  } catch {
    return undefined;
  }
}
