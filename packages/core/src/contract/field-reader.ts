import { ChainloopError } from '../errors';

/** The error every contract problem becomes: one line, `<path>: <reason>`. */
export function contractError(path: string, reason: string): ChainloopError {
  const where = path === '' ? '' : `${path}: `;
  return new ChainloopError('CONTRACT_INVALID', `invalid contract: ${where}${reason}`, {
    exitCode: 2,
    graceful: false,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one field of a parsed YAML/JSON mapping by its protojson names (lowerCamelCase and the proto snake_case
 * name are both accepted, like protojson does), reporting the full path when the value has the wrong type.
 */
export class FieldReader {
  constructor(
    readonly path: string,
    private readonly mapping: Mapping,
  ) {}

  child(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  raw(...names: string[]): { key: string; value: unknown } | undefined {
    for (const name of names) {
      const value = this.mapping[name];
      if (value !== undefined && value !== null) return { key: name, value };
    }
    return undefined;
  }

  string(...names: string[]): string | undefined {
    const found = this.raw(...names);
    if (found === undefined) return undefined;
    if (typeof found.value !== 'string') {
      throw contractError(this.child(found.key), `expected a string, got ${describe(found.value)} (quote the value)`);
    }
    return found.value;
  }

  boolean(...names: string[]): boolean {
    const found = this.raw(...names);
    if (found === undefined) return false;
    if (typeof found.value !== 'boolean') {
      throw contractError(this.child(found.key), `expected true or false, got ${describe(found.value)}`);
    }
    return found.value;
  }

  mappingField(...names: string[]): FieldReader | undefined {
    const found = this.raw(...names);
    if (found === undefined) return undefined;
    if (!isMapping(found.value)) {
      throw contractError(this.child(found.key), `expected a mapping, got ${describe(found.value)}`);
    }
    return new FieldReader(this.child(found.key), found.value);
  }

  /** A list field; each element with its own path (`materials[2]`). */
  list(...names: string[]): { path: string; value: unknown }[] {
    const found = this.raw(...names);
    if (found === undefined) return [];
    if (!Array.isArray(found.value)) {
      throw contractError(this.child(found.key), `expected a list, got ${describe(found.value)}`);
    }
    const base = this.child(found.key);
    return found.value.map((value, index) => ({ path: `${base}[${index}]`, value }));
  }

  stringMap(...names: string[]): Record<string, string> | undefined {
    const found = this.raw(...names);
    if (found === undefined) return undefined;
    if (!isMapping(found.value)) {
      throw contractError(this.child(found.key), `expected a mapping, got ${describe(found.value)}`);
    }
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(found.value)) {
      if (typeof value !== 'string') {
        throw contractError(
          `${this.child(found.key)}.${key}`,
          `expected a string, got ${describe(value)} (quote the value)`,
        );
      }
      result[key] = value;
    }
    return result;
  }
}

export function mappingAt(path: string, value: unknown): FieldReader {
  if (!isMapping(value)) throw contractError(path, `expected a mapping, got ${describe(value)}`);
  return new FieldReader(path, value);
}

export function stringAt(path: string, value: unknown): string {
  if (typeof value !== 'string') throw contractError(path, `expected a string, got ${describe(value)}`);
  return value;
}
