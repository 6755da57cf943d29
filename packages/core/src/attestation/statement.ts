import { ChainloopError } from '../errors';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
/** Still what cosign writes (pkg/cosign/attestation); read only. */
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** in-toto v1 ResourceDescriptor; in a subject `digest` is required. */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  content?: string;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface InTotoStatement {
  _type: typeof STATEMENT_TYPE_V1 | typeof STATEMENT_TYPE_V01;
  subject: Array<ResourceDescriptor & { digest: Record<string, string> }>;
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** Hex lengths per digest algorithm, as in-toto's Go validation checks them; other algorithm names are not checked. */
const HEX_LENGTHS: Record<string, number[]> = {
  sha256: [64],
  sha224: [56],
  sha384: [96],
  sha512: [128],
  sha512_224: [56],
  sha512_256: [64],
  sha3_224: [56],
  sha3_256: [64],
  sha3_384: [96],
  sha3_512: [128],
  shake128: [64],
  shake256: [128],
  blake2b: [128],
  blake2s: [64],
  ripemd160: [40],
  sm3: [64],
  gost3411: [64],
  sha1: [40],
  md5: [32],
  gitCommit: [40, 64],
  gitTree: [40, 64],
  gitBlob: [40, 64],
};

function invalid(message: string): never {
  throw new ChainloopError('STATEMENT_INVALID', `in-toto statement: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an in-toto Statement (v1, or v0.1 as cosign writes it): at least one subject, each with a non-empty digest
 * whose hex length matches its algorithm, a predicateType and a predicate object.
 */
export function validateStatement(value: unknown): InTotoStatement {
  if (!isObject(value)) invalid('not a JSON object');
  const type = value._type;
  if (type !== STATEMENT_TYPE_V1 && type !== STATEMENT_TYPE_V01) {
    invalid(`_type "${String(type)}" is not ${STATEMENT_TYPE_V1} (or ${STATEMENT_TYPE_V01})`);
  }
  const subjects = value.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) invalid('no subject; at least one is required');
  const names = new Set<string>();
  subjects.forEach((subject, index) => {
    const where = `subject[${index}]`;
    if (!isObject(subject)) invalid(`${where} is not an object`);
    if (subject.name !== undefined && typeof subject.name !== 'string') invalid(`${where}.name is not a string`);
    if (type === STATEMENT_TYPE_V01) {
      // v0.1 requires a unique, non-empty name; v1 makes it optional.
      if (!subject.name) invalid(`${where} has no name`);
      if (names.has(subject.name as string)) invalid(`${where} name "${subject.name}" is repeated`);
      names.add(subject.name as string);
    }
    const digest = subject.digest;
    if (!isObject(digest) || Object.keys(digest).length === 0) invalid(`${where} has no digest`);
    for (const [algorithm, hex] of Object.entries(digest)) {
      if (typeof hex !== 'string' || hex === '') invalid(`${where}.digest.${algorithm} is empty`);
      const lengths = HEX_LENGTHS[algorithm];
      if (lengths && (!/^[0-9a-fA-F]+$/.test(hex) || !lengths.includes(hex.length))) {
        invalid(`${where}.digest.${algorithm} "${hex}" is not ${lengths.join(' or ')} hex characters`);
      }
    }
  });
  if (typeof value.predicateType !== 'string' || value.predicateType === '') invalid('predicateType is missing');
  if (!isObject(value.predicate)) invalid('predicate is missing or not an object');
  return value as unknown as InTotoStatement;
}

/**
 * The protobuf field names of in-toto's Statement (`type`, `predicate_type`) and ResourceDescriptor
 * (`download_location`, `media_type`), which protojson reads as well as the JSON names. Chainloop reads statements with
 * protojson, and some of its own stored statements use them.
 */
const PROTO_FIELD_NAMES: Array<[proto: string, json: string]> = [
  ['type', '_type'],
  ['predicate_type', 'predicateType'],
];
const DESCRIPTOR_PROTO_FIELD_NAMES: Array<[proto: string, json: string]> = [
  ['download_location', 'downloadLocation'],
  ['media_type', 'mediaType'],
];

function withJsonNames(
  value: Record<string, unknown>,
  names: Array<[string, string]>,
  where: string,
): Record<string, unknown> {
  let result = value;
  for (const [proto, json] of names) {
    if (!(proto in value)) continue;
    // protojson refuses a field given under both names.
    if (json in value) invalid(`${where}has both "${json}" and "${proto}"; keep one`);
    const { [proto]: field, ...rest } = result;
    result = { ...rest, [json]: field };
  }
  return result;
}

/**
 * Reads a statement as Chainloop (protojson) does: the in-toto JSON names, or the protobuf field names older
 * statements use (`type`, `predicate_type`), normalised to the JSON names, then checked like validateStatement.
 * Reading only: statements this project writes always use `_type` and `predicateType`.
 */
export function readStatement(value: unknown): InTotoStatement {
  if (!isObject(value)) invalid('not a JSON object');
  const statement = withJsonNames(value, PROTO_FIELD_NAMES, '');
  if (Array.isArray(statement.subject)) {
    statement.subject = statement.subject.map((subject, index) =>
      isObject(subject) ? withJsonNames(subject, DESCRIPTOR_PROTO_FIELD_NAMES, `subject[${index}] `) : subject,
    );
  }
  return validateStatement(statement);
}
