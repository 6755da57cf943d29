import { isObject, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

export const CHAINLOOP_PREDICATE_TYPE = 'chainloop.dev/attestation/v0.2';

/**
 * A Chainloop attestation from another workflow: a DSSE envelope or a Sigstore bundle carrying an in-toto statement
 * with the Chainloop predicate. The signature is not verified here (the control plane checks the run exists).
 */
export const attestationKind: MaterialKind = {
  kind: 'ATTESTATION',
  detectionOrder: 28,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'ATTESTATION');
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'ATTESTATION', reason, cause);
    if (!isObject(json)) throw refuse('it is not a JSON object');
    // Loaded on use: the signing module is heavy and most adds never need it.
    const [{ IN_TOTO_PAYLOAD_TYPE, decodeEnvelope, isSigstoreBundle, readBundle }, { readStatement }] =
      await Promise.all([import('../attestation/index'), import('../attestation/statement')]);
    let payloadType: string;
    let payload: Buffer;
    try {
      const envelope = isSigstoreBundle(json) ? readBundle(json).envelope : json;
      ({ payloadType, payload } = decodeEnvelope(envelope));
    } catch (error) {
      throw refuse(`it is neither a DSSE envelope nor a Sigstore bundle (${(error as Error).message})`, error);
    }
    if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw refuse(`payloadType is "${payloadType}", expected ${IN_TOTO_PAYLOAD_TYPE}`);
    }
    let statement: ReturnType<typeof readStatement>;
    try {
      statement = readStatement(JSON.parse(payload.toString('utf8')));
    } catch (error) {
      const reason = error instanceof SyntaxError ? 'the payload is not JSON' : (error as Error).message;
      throw refuse(`the payload is not an in-toto statement (${reason})`, error);
    }
    if (statement.predicateType !== CHAINLOOP_PREDICATE_TYPE) {
      throw refuse(`predicateType is "${statement.predicateType}", expected ${CHAINLOOP_PREDICATE_TYPE}`);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
