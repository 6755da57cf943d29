import { readFile } from 'node:fs/promises';
import type { MaterialKindName } from '../contract/model';
import type { MaterialInput } from './kind';
import { materialInvalid } from './material-error';
import { type MaterialFile, requireMaterialFile, sniffFormat } from './material-file';

/** Past this a file is not parsed as a document (V8 strings top out near 512 MiB); it can still be an ARTIFACT. */
export const MAX_PARSED_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Auto-detection tries up to a dozen kinds on the same file; this cache, passed in `MaterialInput.options`, lets
 * them share one read and one JSON parse.
 */
export const PARSED_FILE_CACHE_OPTION = 'parsedFileCache';
export type ParsedFileCache = Map<string, Promise<unknown>>;

function cacheOf(input: MaterialInput): ParsedFileCache | undefined {
  const cache = input.options?.[PARSED_FILE_CACHE_OPTION];
  return cache instanceof Map ? (cache as ParsedFileCache) : undefined;
}

function memo<T>(input: MaterialInput, key: string, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(input);
  if (cache === undefined) return load();
  let entry = cache.get(key) as Promise<T> | undefined;
  if (entry === undefined) {
    entry = load();
    cache.set(key, entry);
  }
  return entry;
}

/** Reads a file material as text for a kind that has to parse it, refusing files too large to parse. */
export async function readDocumentText(
  input: MaterialInput,
  file: MaterialFile,
  kind: MaterialKindName,
): Promise<string> {
  if (file.size > MAX_PARSED_DOCUMENT_BYTES) {
    throw materialInvalid(
      input.name,
      `file ${file.given}`,
      kind,
      `${file.size} bytes is too large to validate (limit ${MAX_PARSED_DOCUMENT_BYTES}); attest it as ARTIFACT`,
    );
  }
  return memo(input, `text:${file.path}`, () => readFile(file.path, 'utf8'));
}

type JsonOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Parses a file material as JSON for `kind`. Files that do not start like JSON are refused without being read
 * whole, so detecting a large binary ARTIFACT stays cheap.
 */
export async function readJsonMaterial(
  input: MaterialInput,
  kind: MaterialKindName,
): Promise<{ file: MaterialFile; json: unknown }> {
  const file = await requireMaterialFile(input);
  const what = `file ${file.given}`;
  const format = await memo(input, `format:${file.path}`, () => sniffFormat(file));
  if (format !== 'json') throw materialInvalid(input.name, what, kind, 'it is not JSON');
  const text = await readDocumentText(input, file, kind);
  const outcome = await memo<JsonOutcome>(input, `json:${file.path}`, async () => {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return { ok: false, reason: `it is not valid JSON (${(error as Error).message})` };
    }
  });
  if (!outcome.ok) throw materialInvalid(input.name, what, kind, outcome.reason);
  return { file, json: outcome.value };
}

/** Same first-bytes check as JSON, for XML kinds. */
export async function fileFormat(input: MaterialInput, file: MaterialFile) {
  return memo(input, `format:${file.path}`, () => sniffFormat(file));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
