import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isChainloopError } from '../errors';
import { isObject, nonEmptyString, readDocumentText } from './file-content';
import type { InspectedMaterial, MaterialInput, MaterialKind } from './kind';
import { MATERIAL_FILE_EMPTY, materialInvalid } from './material-error';
import { materialPath, requireMaterialFile } from './material-file';
import { ANNOTATION_TOOL_NAME } from './tool-annotations';

/** What a clean scan is recorded as (see below); TRUFFLEHOG_JSON also accepts it as a report. */
export const TRUFFLEHOG_CANONICAL_EMPTY = '[]';

const TOOL = { [ANNOTATION_TOOL_NAME]: 'trufflehog' };

/**
 * TruffleHog's `--json` output: JSON lines, one finding per line, each with the `DetectorName` that found it (a JSON
 * array of findings is read too). Never auto-detected.
 *
 * TruffleHog writes nothing when it finds nothing, and an empty file cannot be attested (its digest would be every
 * empty file's). As in the original, that clean scan is recorded as the canonical report `[]`, under the file's own
 * name: the kind writes `[]` to a private temporary file, hands that to the crafter, and removes it in `dispose`.
 */
export const trufflehogJsonKind: MaterialKind = {
  kind: 'TRUFFLEHOG_JSON',
  async inspect(input) {
    let file: Awaited<ReturnType<typeof requireMaterialFile>>;
    try {
      file = await requireMaterialFile(input);
    } catch (error) {
      if (isChainloopError(error) && error.code === MATERIAL_FILE_EMPTY) return cleanScan(input);
      throw error;
    }
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'TRUFFLEHOG_JSON', reason);
    const text = await readDocumentText(input, file, 'TRUFFLEHOG_JSON');
    const findings = parseFindings(text, refuse);
    const [first] = findings;
    if (findings.length > 0 && !nonEmptyString(first?.DetectorName)) {
      throw refuse('the first finding has no "DetectorName" (TruffleHog gives every finding one)');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: { ...TOOL } };
  },
};

async function cleanScan(input: MaterialInput): Promise<InspectedMaterial> {
  const directory = await mkdtemp(join(tmpdir(), 'chainloop-trufflehog-'));
  const path = join(directory, 'report.json');
  await writeFile(path, TRUFFLEHOG_CANONICAL_EMPTY, { mode: 0o600 });
  return {
    shape: 'file',
    path,
    fileName: basename(materialPath(input)),
    annotations: { ...TOOL },
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}

/**
 * The findings of a TruffleHog report as a list (what policies see): blank text is `[]`. Throws a plain Error naming
 * what is wrong; the kind validated the file when it was added, so this only fails on a file changed since.
 */
export function parseTrufflehogFindings(text: string): (Record<string, unknown> | null)[] {
  return parseFindings(text, (reason) => new Error(reason));
}

/**
 * The findings of TruffleHog output: one JSON array, or a stream of JSON values (objects, or null for an empty
 * finding) separated by white space, as Go's JSON decoder reads it. Blank text has no finding.
 */
function parseFindings(text: string, refuse: (reason: string) => Error): (Record<string, unknown> | null)[] {
  const values: unknown[] = [];
  let position = skipSpace(text, 0);
  if (text[position] === '[') {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch (error) {
      throw refuse(`it is not a valid JSON array of findings (${(error as Error).message})`);
    }
    values.push(...(array as unknown[]));
  } else {
    while (position < text.length) {
      const end = valueEnd(text, position);
      let value: unknown;
      try {
        value = end === undefined ? undefined : JSON.parse(text.slice(position, end));
      } catch {
        value = undefined;
      }
      if (value === undefined) throw refuse(`it is not JSON lines (bad value at character ${position})`);
      values.push(value);
      position = skipSpace(text, end as number);
    }
  }
  const index = values.findIndex((value) => value !== null && !isObject(value));
  if (index >= 0) throw refuse(`finding ${index} is not a JSON object`);
  return values as (Record<string, unknown> | null)[];
}

function skipSpace(text: string, from: number): number {
  let position = from;
  while (position < text.length && ' \t\n\r'.includes(text[position])) position += 1;
  return position;
}

/** End (exclusive) of the JSON object or `null` starting at `start`, or undefined when it is neither. */
function valueEnd(text: string, start: number): number | undefined {
  if (text.startsWith('null', start)) return start + 4;
  if (text[start] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let position = start; position < text.length; position += 1) {
    const char = text[position];
    if (inString) {
      if (char === '\\') position += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return position + 1;
    }
  }
  return undefined;
}
