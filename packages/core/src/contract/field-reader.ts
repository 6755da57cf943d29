import { ChainloopError } from '../errors';

/** The error every contract problem becomes: one line, `<path>: <reason>`. */
export function contractError(path: string, reason: string): ChainloopError {
  const where = path === '' ? '' : `${path}: `;
  return new ChainloopError('CONTRACT_INVALID', `invalid contract: ${where}${reason}`, {
    exitCode: 2,
    graceful: false,
  });
}

/** How a reader reports a bad field: contracts by default; a policy document read on its own names itself instead. */
export type FieldError = (path: string, reason: string) => ChainloopError;

export function describe(value: unknown): string {
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
    readonly fail: FieldError = contractError,
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
      throw this.fail(this.child(found.key), `expected a string, got ${describe(found.value)} (quote the value)`);
    }
    return found.value;
  }

  boolean(...names: string[]): boolean {
    const found = this.raw(...names);
    if (found === undefined) return false;
    if (typeof found.value !== 'boolean') {
      throw this.fail(this.child(found.key), `expected true or false, got ${describe(found.value)}`);
    }
    return found.value;
  }

  /** A boolean that may be left unset (a policy attachment's `gate`: unset inherits the organisation's default). */
  optionalBoolean(...names: string[]): boolean | undefined {
    return this.raw(...names) === undefined ? undefined : this.boolean(...names);
  }

  mappingField(...names: string[]): FieldReader | undefined {
    const found = this.raw(...names);
    if (found === undefined) return undefined;
    if (!isMapping(found.value)) {
      throw this.fail(this.child(found.key), `expected a mapping, got ${describe(found.value)}`);
    }
    return new FieldReader(this.child(found.key), found.value, this.fail);
  }

  /** A list field; each element with its own path (`materials[2]`). */
  list(...names: string[]): { path: string; value: unknown }[] {
    const found = this.raw(...names);
    if (found === undefined) return [];
    if (!Array.isArray(found.value)) {
      throw this.fail(this.child(found.key), `expected a list, got ${describe(found.value)}`);
    }
    const base = this.child(found.key);
    return found.value.map((value, index) => ({ path: `${base}[${index}]`, value }));
  }

  stringMap(...names: string[]): Record<string, string> | undefined {
    const found = this.raw(...names);
    if (found === undefined) return undefined;
    if (!isMapping(found.value)) {
      throw this.fail(this.child(found.key), `expected a mapping, got ${describe(found.value)}`);
    }
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(found.value)) {
      if (typeof value !== 'string') {
        throw this.fail(
          `${this.child(found.key)}.${key}`,
          `expected a string, got ${describe(value)} (quote the value)`,
        );
      }
      result[key] = value;
    }
    return result;
  }
}

export function mappingAt(path: string, value: unknown, fail: FieldError = contractError): FieldReader {
  if (!isMapping(value)) throw fail(path, `expected a mapping, got ${describe(value)}`);
  return new FieldReader(path, value, fail);
}

export function stringAt(path: string, value: unknown, fail: FieldError = contractError): string {
  if (typeof value !== 'string') throw fail(path, `expected a string, got ${describe(value)}`);
  return value;
}
