import { ChainloopError } from '@chainloop-ts/core';
import { isSigstoreBundle, readBundle, verifyAttestation } from '@chainloop-ts/core/attestation';
import { isObject, sha256Digest, statementPayloadOf } from './statement-payload';
import { describeStatement, type StatementView } from './statement-view';

/**
 * The CPU-heavy half of storing an attestation: parsing the request body, the bundle and the statement inside it,
 * and checking signatures. It is a pure function of its input so that it can run on a worker thread: a 30 MB
 * bundle costs a second of JSON parsing, which on the event loop would stall every other request.
 */
export interface InspectionRequest {
  /** The raw request body, `{"bundle": "<bundle JSON>"}`. */
  body: Uint8Array;
  /** Statements naming more materials (or more subjects) than this are refused before any signature work. */
  maxMaterials: number;
  /** The workflow's registered public keys (SPKI PEM): a key-signed bundle is checked against each, in order. */
  publicKeysPem: string[];
  /** The keyless signing CA chain: a bundle with a certificate is checked against it. */
  caChainPem: string;
  /** Also read the statement for display (a stored run's detail), here rather than on the event loop. */
  describe?: boolean;
  /**
   * False: leave signatures unchecked (`signer` is then `{kind: "key"}`), for reads that only display what a stored
   * statement says (a run's policy evaluations). Checked unless false.
   */
  checkSignatures?: boolean;
}

/** A material the statement says was uploaded to the CAS (`chainloop.material.cas`). */
export interface CasMaterialReference {
  name: string;
  digest: string;
}

export type SignerInspection =
  /** The leaf certificate (DER) and, when the signature does not verify against the CA chain, why. */
  | { kind: 'certificate'; leafDer: Uint8Array; signatureError?: string }
  /**
   * A key signature (or none at all): the index of the first registered key it verifies with, if any; otherwise why
   * it did not verify with the first registered key (when there is one).
   */
  | { kind: 'key'; verifiedWithKey?: number; signatureError?: string }
  /** A Sigstore bundle the control plane cannot read (bad mediaType, no envelope): why. */
  | { kind: 'unreadable'; reason: string };

export interface InspectedAttestation {
  /** The bundle JSON, to be stored verbatim. */
  bundle: string;
  /** sha256 of the bundle's UTF-8 bytes: the attestation's digest. */
  digest: string;
  /**
   * sha256 of the signed statement (the DSSE payload bytes): the same statement signed twice has two bundle
   * digests but one statement digest. Undefined when the bundle carries no decodable envelope.
   */
  statementDigest?: string;
  casMaterials: CasMaterialReference[];
  signer: SignerInspection;
  /** The statement's predicate.metadata.projectVersion, when it is a non-empty string of at most 256 characters. */
  projectVersion?: string;
  /** With `describe`: what the statement says (absent when the bundle carries no DSSE payload). */
  view?: StatementView;
}

export type InspectionOutcome =
  | { ok: true; attestation: InspectedAttestation }
  /** A refusal, as the HTTP answer it becomes (errors do not keep their fields across a worker boundary). */
  | { ok: false; status: number; code: string; message: string };

const refuse = (code: string, message: string): InspectionOutcome => ({ ok: false, status: 400, code, message });

export async function inspectAttestation(request: InspectionRequest): Promise<InspectionOutcome> {
  const bodyText = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (error) {
    return refuse('INVALID_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
  const bundle = isObject(body) ? body.bundle : undefined;
  const extra = isObject(body) ? Object.keys(body).filter((key) => key !== 'bundle') : [];
  if (typeof bundle !== 'string' || bundle.length < 2 || extra.length > 0) {
    return refuse(
      'INVALID_REQUEST',
      'invalid body: send {"bundle": "<the bundle JSON as a string>"} and nothing else: push the bundle the CLI rendered',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bundle);
  } catch {
    return refuse('ATTESTATION_INVALID', 'the attestation bundle is not JSON: push the bundle the CLI rendered');
  }
  const digest = sha256Digest(Buffer.from(bundle, 'utf8'));

  const payload = statementPayloadOf(parsed);
  const statement = payload ? parseJson(payload) : undefined;
  const statementDigest = payload ? sha256Digest(payload) : undefined;

  const materials = isObject(statement) && isObject(statement.predicate) ? statement.predicate.materials : undefined;
  const subjects = isObject(statement) ? statement.subject : undefined;
  const materialCount = Array.isArray(materials) ? materials.length : 0;
  const subjectCount = Array.isArray(subjects) ? subjects.length : 0;
  if (materialCount > request.maxMaterials || subjectCount > request.maxMaterials) {
    const [count, what] =
      materialCount > request.maxMaterials ? [materialCount, 'materials'] : [subjectCount, 'subjects'];
    return refuse(
      'TOO_MANY_MATERIALS',
      `attestation refused: its statement names ${count} ${what}, more than this control plane accepts (${request.maxMaterials}): split the attestation, or raise --max-materials on the control plane`,
    );
  }
  const casMaterials = Array.isArray(materials) ? casMaterialsOf(materials) : [];
  if (!Array.isArray(casMaterials)) return refuse('ATTESTATION_INVALID', casMaterials.invalid);

  return {
    ok: true,
    attestation: {
      bundle,
      digest,
      statementDigest,
      casMaterials,
      signer: request.checkSignatures === false ? { kind: 'key' } : await inspectSigner(parsed, bundle, request),
      ...projectVersionOf(statement),
      ...(request.describe && payload && { view: describeStatement(payload) }),
    },
  };
}

async function inspectSigner(parsed: unknown, bundle: string, request: InspectionRequest): Promise<SignerInspection> {
  if (isSigstoreBundle(parsed)) {
    let material: ReturnType<typeof readBundle>['material'];
    try {
      ({ material } = readBundle(parsed, 'attestation bundle'));
    } catch (error) {
      return { kind: 'unreadable', reason: reasonOf(error) };
    }
    if (material.kind === 'certificate') {
      try {
        // Checked at signing time: the moment the short-lived leaf (minutes long) was issued.
        await verifyAttestation(bundle, { chainPem: request.caChainPem });
        return { kind: 'certificate', leafDer: material.certificates[0] };
      } catch (error) {
        return { kind: 'certificate', leafDer: material.certificates[0], signatureError: reasonOf(error) };
      }
    }
  }
  let signatureError: string | undefined;
  for (const [index, publicKeyPem] of request.publicKeysPem.entries()) {
    try {
      await verifyAttestation(bundle, { publicKeyPem });
      return { kind: 'key', verifiedWithKey: index };
    } catch (error) {
      signatureError ??= reasonOf(error);
    }
  }
  return signatureError === undefined ? { kind: 'key' } : { kind: 'key', signatureError };
}

/**
 * Materials marked as uploaded to the CAS, with their names. A marked material without a sha256 digest or a name
 * would be a material nobody can check, so the statement is refused.
 */
function casMaterialsOf(materials: unknown[]): CasMaterialReference[] | { invalid: string } {
  const found: CasMaterialReference[] = [];
  for (const [index, material] of materials.entries()) {
    if (!isObject(material) || !isObject(material.annotations)) continue;
    const cas = material.annotations['chainloop.material.cas'];
    if (cas !== true && cas !== 'true') continue;
    const name = material.annotations['chainloop.material.name'];
    const hex = isObject(material.digest) ? material.digest.sha256 : undefined;
    const label = typeof name === 'string' && name !== '' ? `material "${name}"` : `materials[${index}]`;
    if (typeof hex !== 'string' || !/^[a-f0-9]{64}$/.test(hex)) {
      return {
        invalid: `attestation refused: ${label} is marked as uploaded to the CAS (chainloop.material.cas) but has no sha256 digest: push the statement the CLI rendered`,
      };
    }
    found.push({
      name: typeof name === 'string' && name !== '' ? name : `materials[${index}]`,
      digest: `sha256:${hex}`,
    });
  }
  return found;
}

function projectVersionOf(statement: unknown): { projectVersion?: string } {
  const predicate = isObject(statement) ? statement.predicate : undefined;
  const metadata = isObject(predicate) ? predicate.metadata : undefined;
  const version = isObject(metadata) ? metadata.projectVersion : undefined;
  return typeof version === 'string' && version !== '' && version.length <= 256 ? { projectVersion: version } : {};
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The reason of a core error, without core's generic "attestation verification failed: " prefix. */
function reasonOf(error: unknown): string {
  if (!(error instanceof ChainloopError)) throw error;
  return error.message.replace(/^attestation verification failed: /, '');
}
