import type { Annotation } from '../contract/model';
import { UsageError } from '../errors';

/** Parses repeated `--annotation key=value` flags (also comma-separated), splitting on the first `=`. */
export function parseAnnotationFlags(flags: string[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const flag of flags ?? []) {
    for (const item of flag.split(',')) {
      if (item.trim() === '') continue;
      const index = item.indexOf('=');
      if (index <= 0) {
        throw new UsageError(
          'ANNOTATION_INVALID',
          `--annotation "${item}" is not key=value; pass it as --annotation key=value`,
        );
      }
      result[item.slice(0, index).trim()] = item.slice(index + 1);
    }
  }
  return result;
}

/**
 * Contract annotations first; a runtime value fills an empty contract value but never overrides a set one.
 * Any annotation still empty is an error naming what to pass.
 */
export function mergeAnnotations(
  declared: Annotation[],
  existing: Record<string, string>,
  runtime: Record<string, string>,
  subject: string,
): Record<string, string> {
  const merged: Record<string, string> = { ...existing };
  for (const { name, value } of declared) if (value !== '' || merged[name] === undefined) merged[name] = value;
  for (const [name, value] of Object.entries(runtime)) if (!merged[name]) merged[name] = value;
  const empty = Object.keys(merged).filter((name) => merged[name] === '');
  if (empty.length > 0) {
    throw new UsageError(
      'ANNOTATION_REQUIRED',
      `annotations ${JSON.stringify(empty)} required for ${subject}: pass ${empty.map((n) => `--annotation ${n}=VALUE`).join(' ')}`,
    );
  }
  return merged;
}
