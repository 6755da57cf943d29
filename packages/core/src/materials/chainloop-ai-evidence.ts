import type { ErrorObject, ValidateFunction } from 'ajv';
import type { MaterialKindName } from '../contract/model';
import { readJsonMaterial } from './file-content';
import type { MaterialInput } from './kind';
import { materialInvalid } from './material-error';
import type { MaterialFile } from './material-file';

/**
 * The two AI evidence kinds (CHAINLOOP_AI_AGENT_CONFIG, CHAINLOOP_AI_CODING_SESSION) are checked the way Chainloop's
 * crafters do it (chainloop_ai_agent_config.go / chainloop_ai_coding_session.go at 165659a4, the version whose
 * annotations 40014e92's tests expect):
 *
 *   1. `json.Unmarshal` of the file into `struct { Schema string; Data json.RawMessage }`: the file must be a JSON
 *      object whose `schema`, if present, is a string; a missing `data` fails the next step.
 *   2. `json.Unmarshal` of `data` into the kind's Go struct (internal/aiagentconfig.Data,
 *      internal/aicodingsession.Data). Only used to read the annotations, but a value of the wrong JSON type for a
 *      struct field makes the crafter refuse the file. {@link goDecode} reproduces that decode.
 *   3. The schema check runs on `data` exactly as written (not on a re-encoded struct), with the embedded 0.1 schema.
 *
 * Chainloop records `chainloop.material.evidence.schema` (the envelope's `schema`) and the agent name from the
 * decoded struct.
 */

/**
 * The JSON a Go struct field accepts. `null` leaves a string, number, bool or (non-pointer) struct field as it was and
 * resets a pointer (`nullable`), slice, map or `any` field to nil.
 */
export type GoShape =
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'any'
  | { struct: Record<string, GoShape>; nullable?: true }
  | { slice: GoShape }
  | { map: GoShape };

export class GoDecodeError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

const INT64_LIMIT = 2 ** 63;
/** Returned for a null that resets the field (Go's nil). */
const NIL = Symbol('nil');

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function shapeName(shape: GoShape): string {
  if (typeof shape === 'string') return shape;
  return 'slice' in shape ? 'array' : 'object';
}

function resetsOnNull(shape: GoShape): boolean {
  if (shape === 'any') return true;
  if (typeof shape === 'string') return false;
  return 'struct' in shape ? shape.nullable === true : true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes `value` as Go's encoding/json does into a field of `shape`, on top of `into` (what an earlier duplicate key
 * left there: Go decodes an object into the existing struct or map). Like Go: object keys match struct fields
 * case-insensitively, later keys win, unknown keys are ignored, and a JSON value of the wrong type for its field is an
 * error. One difference: JSON.parse has already turned `1.0` and `1e3` into integers, which Go refuses for an int.
 */
function decodeInto(value: unknown, shape: GoShape, path: string, into: unknown): unknown {
  if (value === null) return resetsOnNull(shape) ? NIL : into;
  const refuse = () =>
    new GoDecodeError(path, `cannot decode a JSON ${jsonType(value)} into Chainloop's ${shapeName(shape)} field`);
  switch (shape) {
    case 'any':
      return value;
    case 'string':
    case 'bool':
      if (typeof value !== (shape === 'string' ? 'string' : 'boolean')) throw refuse();
      return value;
    case 'float':
      if (typeof value !== 'number') throw refuse();
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) >= INT64_LIMIT) throw refuse();
      return value;
  }
  if ('slice' in shape) {
    if (!Array.isArray(value)) throw refuse();
    return value.map((item, index) => {
      const decoded = decodeInto(item, shape.slice, `${path}[${index}]`, undefined);
      return decoded === NIL ? undefined : decoded;
    });
  }
  if (!isRecord(value)) throw refuse();
  const decoded: Record<string, unknown> = isRecord(into) ? { ...into } : {};
  const fields = 'struct' in shape ? Object.keys(shape.struct) : undefined;
  for (const [key, item] of Object.entries(value)) {
    const field =
      fields === undefined
        ? key
        : (fields.find((name) => name === key) ?? fields.find((name) => name.toLowerCase() === key.toLowerCase()));
    if (field === undefined) continue;
    const fieldShape = 'struct' in shape ? shape.struct[field] : shape.map;
    const result = decodeInto(item, fieldShape, `${path}.${field}`, decoded[field]);
    if (result === NIL) delete decoded[field];
    else if (result !== undefined) decoded[field] = result;
  }
  return decoded;
}

/** {@link decodeInto} for a whole document; a top-level null decodes to an empty struct. */
export function goDecode(value: unknown, shape: GoShape, path: string): Record<string, unknown> {
  const decoded = decodeInto(value, shape, path, undefined);
  return isRecord(decoded) ? decoded : {};
}

/** `data.config_files[0].kind` from ajv's `/config_files/0/kind`. */
function dottedPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`), 'data');
}

/** One line naming the JSON path and what the schema says about it. */
export function describeSchemaError(error: ErrorObject | undefined, schemaName: string): string {
  if (error === undefined) return `data does not match the ${schemaName} schema`;
  const where = dottedPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let complaint: string;
  if (error.keyword === 'required') complaint = `${where}.${params.missingProperty} is missing`;
  else if (error.keyword === 'additionalProperties') {
    complaint = `${where} has field "${params.additionalProperty}", which the schema does not allow`;
  } else if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
    complaint = `${where} must be one of ${allowed.join(', ')}`;
  } else complaint = `${where} ${error.message ?? 'is invalid'}`;
  return `${complaint} (${schemaName} schema)`;
}

export async function compileSchema(schema: object): Promise<ValidateFunction> {
  // Draft-07 is ajv's default dialect; neither schema has a format to assert.
  const { default: Ajv } = await import('ajv');
  return new Ajv({ strict: false, allErrors: false, logger: false }).compile(schema);
}

export interface AiEvidence<T> {
  file: MaterialFile;
  /** The envelope's `schema`, or '' as Go's zero value. */
  schema: string;
  /** `data` as Chainloop's Go struct holds it. */
  data: T;
}

/** Steps 1–3 above; throws MATERIAL_INVALID with a one-line reason. */
export async function readAiEvidence<T>(
  input: MaterialInput,
  kind: MaterialKindName,
  dataShape: GoShape,
  validator: () => Promise<ValidateFunction>,
  schemaName: string,
): Promise<AiEvidence<T>> {
  const { file, json } = await readJsonMaterial(input, kind);
  const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, kind, reason);
  let envelope: { schema?: string; data?: unknown };
  try {
    envelope = goDecode(json, { struct: { schema: 'string', data: 'any' } }, 'file') as typeof envelope;
  } catch (error) {
    if (error instanceof GoDecodeError) {
      throw refuse(`it is not a Chainloop evidence envelope (${error.message.replace(/^file\./, '')})`);
    }
    throw error;
  }
  // Go keeps a present `"data": null` as the raw text `null`, which decodes and then fails the schema.
  const rawKey = isRecord(json) ? Object.keys(json).findLast((key) => key.toLowerCase() === 'data') : undefined;
  if (rawKey === undefined) throw refuse('data is missing');
  const raw = (json as Record<string, unknown>)[rawKey];
  let data: T;
  try {
    data = goDecode(raw, dataShape, 'data') as T;
  } catch (error) {
    if (error instanceof GoDecodeError) throw refuse(error.message);
    throw error;
  }
  const validate = await validator();
  if (!validate(raw)) throw refuse(describeSchemaError(validate.errors?.[0], schemaName));
  return { file, schema: envelope.schema ?? '', data };
}
