import { UsageError } from '../errors';

export interface MaterialListItem {
  name: string;
  value: string;
  kind?: string;
}

/**
 * A list of materials as CI inputs carry it: a JSON array of `{name, value, kind?}` objects or of `name=value`
 * strings, or one `name=value` per line
 * (`kind:name=value` to give a kind; blank lines and `#` comments ignored).
 */
export function parseMaterialList(text: string): MaterialListItem[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return parseJsonList(trimmed);
  const items: MaterialListItem[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim().replace(/^-\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(
        'MATERIAL_LIST_INVALID',
        `materials list line ${index + 1} "${line}" is not name=value: write one name=value (or KIND:name=value) per line`,
      );
    }
    const left = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    const colon = left.indexOf(':');
    const item: MaterialListItem =
      colon > 0 ? { kind: left.slice(0, colon), name: left.slice(colon + 1), value } : { name: left, value };
    if (item.value === '') {
      throw new UsageError(
        'MATERIAL_LIST_INVALID',
        `materials list line ${index + 1}: material "${item.name}" has no value`,
      );
    }
    items.push(item);
  }
  return items;
}

function parseJsonList(text: string): MaterialListItem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError('MATERIAL_LIST_INVALID', `materials list is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new UsageError('MATERIAL_LIST_INVALID', 'materials list JSON must be an array');
  return value.flatMap((entry, index) => {
    // A CI array input of strings (GitLab `type: array`): each string is one name=value line.
    if (typeof entry === 'string') return parseMaterialList(entry);
    const item = entry as Partial<MaterialListItem>;
    if (!item || typeof item.name !== 'string' || typeof item.value !== 'string') {
      throw new UsageError(
        'MATERIAL_LIST_INVALID',
        `materials list entry ${index}: needs string "name" and "value" fields (and optional "kind"), or a "name=value" string`,
      );
    }
    return [{ name: item.name, value: item.value, ...(typeof item.kind === 'string' ? { kind: item.kind } : {}) }];
  });
}
