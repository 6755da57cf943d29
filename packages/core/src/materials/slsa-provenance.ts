import { isObject, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** Fields protojson knows on a Sigstore Bundle and an in-toto Statement: Chainloop's decoder refuses any other. */
const BUNDLE_FIELDS = new Set([
  'mediaType',
  'media_type',
  'verificationMaterial',
  'verification_material',
  'messageSignature',
  'message_signature',
  'dsseEnvelope',
  'dsse_envelope',
]);
const STATEMENT_FIELDS = new Set(['_type', 'type', 'subject', 'predicateType', 'predicate_type', 'predicate']);

/** A Sigstore bundle whose DSSE payload is an in-toto statement with predicate type SLSA provenance v1. */
export const slsaProvenanceKind: MaterialKind = {
  kind: 'SLSA_PROVENANCE',
  detectionOrder: 24,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'SLSA_PROVENANCE');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'SLSA_PROVENANCE', reason);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    const unknown = Object.keys(json).find((key) => !BUNDLE_FIELDS.has(key));
    if (unknown !== undefined) throw refuse(`it is not a Sigstore bundle (unknown field "${unknown}")`);
    const envelope = json.dsseEnvelope ?? json.dsse_envelope;
    const payload = isObject(envelope) ? envelope.payload : undefined;
    if (typeof payload !== 'string' || payload === '') throw refuse('the bundle has no DSSE envelope payload');
    let statement: unknown;
    try {
      statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      throw refuse('the DSSE payload is not a JSON in-toto statement');
    }
    if (!isObject(statement)) throw refuse('the DSSE payload is not an in-toto statement');
    const stray = Object.keys(statement).find((key) => !STATEMENT_FIELDS.has(key));
    if (stray !== undefined) throw refuse(`the DSSE payload is not an in-toto statement (unknown field "${stray}")`);
    const predicateType = statement.predicateType ?? statement.predicate_type ?? '';
    if (predicateType !== SLSA_PROVENANCE_V1) {
      throw refuse(`the predicate type is ${JSON.stringify(predicateType)}, expected "${SLSA_PROVENANCE_V1}"`);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
