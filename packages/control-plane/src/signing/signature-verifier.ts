import { X509Certificate } from 'node:crypto';
import type { AttestationVerifier } from '../attestation-verifier';
import { badRequest } from '../http/api-error';
import type { InspectedAttestation } from '../intake/inspect-attestation';
import type { Repository, RunRecord, WorkflowKeyRecord, WorkflowRecord } from '../storage/repository';
import type { SigningCa } from './signing-ca';
import { certificateWorkflowId } from './signing-certificate';

const refused = (code: string, reason: string) => badRequest(code, `attestation refused: ${reason}`);

/** Who signed a stored attestation, as the run detail names it. */
export type SignerView =
  | { kind: 'key'; keyId?: string; keyName?: string; fingerprint?: string }
  | { kind: 'certificate'; subject: string; issuer: string; serial: string; notBefore: string; notAfter: string }
  | { kind: 'unknown' };

/** Whether a stored attestation verifies now, with which registered key or certificate, or why not (one line). */
export interface SignatureAssessment {
  verified: boolean;
  signer: SignerView;
  reason?: string;
  /** The registered key it verified with. */
  key?: WorkflowKeyRecord;
}

/** Why a key-signed bundle is refused when it verifies with none of the workflow's registered keys. */
function noRegisteredKeyVerifies(keyCount: number, workflow: WorkflowRecord): string {
  return `the attestation does not verify with any of the ${keyCount} public key(s) registered for workflow "${workflow.name}"`;
}

export const NO_REGISTERED_KEY_REASON =
  'the workflow has no registered key: the signature was not checked against a trusted key';

/**
 * Decides whether a pushed attestation's signature is acceptable (a registered workflow key, or a certificate from
 * this control plane's CA), as the original does at Store. The signature checks themselves ran on a worker thread
 * (intake/inspect-attestation.ts); this applies the rules:
 * - a bundle with a certificate must chain to our signing CA at signing time, carry a valid signature, and its
 *   certificate must have been issued for this workflow (its subject) and this run (our issuance record);
 * - a key-signed bundle must verify with one of the workflow's registered public keys, when it has any;
 * - without registered keys, a key-signed bundle (or anything without verification material) is accepted as
 *   unverifiable.
 * `assess` applies the same rules to a stored attestation, except that "unverifiable" is "not verified" there.
 */
export class SignatureVerifier implements AttestationVerifier {
  constructor(
    private readonly repository: Repository,
    private readonly ca: SigningCa,
  ) {}

  async verify(workflow: WorkflowRecord, attestation: InspectedAttestation, run: RunRecord): Promise<void> {
    const { signer } = attestation;
    if (signer.kind === 'unreadable') throw refused('ATTESTATION_INVALID', signer.reason);
    if (signer.kind === 'certificate') {
      const refusal = await this.keylessRefusal(workflow, run, signer.leafDer, signer.signatureError);
      if (refusal) throw refused(refusal.code, refusal.reason);
      return;
    }
    const keyCount = (await this.repository.listWorkflowKeys(workflow.id)).length;
    if (keyCount === 0 || signer.verifiedWithKey !== undefined) return;
    throw refused(
      'ATTESTATION_SIGNATURE_INVALID',
      `${noRegisteredKeyVerifies(keyCount, workflow)}: sign with a registered key (chainloop workflow key list --workflow ${workflow.name}) or push without --key`,
    );
  }

  /**
   * A stored attestation checked again now: `attestation` was inspected with `keys` (the workflow's keys today, in
   * this order) and this CA. A key signature counts only when it verifies with a registered key.
   */
  async assess(
    workflow: WorkflowRecord,
    attestation: InspectedAttestation,
    run: RunRecord,
    keys: WorkflowKeyRecord[],
  ): Promise<SignatureAssessment> {
    const { signer } = attestation;
    if (signer.kind === 'unreadable') return { verified: false, signer: { kind: 'unknown' }, reason: signer.reason };
    if (signer.kind === 'certificate') {
      let leaf: X509Certificate;
      try {
        leaf = new X509Certificate(signer.leafDer);
      } catch {
        return { verified: false, signer: { kind: 'unknown' }, reason: CERTIFICATE_INVALID };
      }
      const refusal = await this.keylessRefusal(workflow, run, signer.leafDer, signer.signatureError);
      return { verified: refusal === undefined, signer: certificateView(leaf), reason: refusal?.reason };
    }
    const key = signer.verifiedWithKey === undefined ? undefined : keys[signer.verifiedWithKey];
    if (key) {
      return {
        verified: true,
        signer: { kind: 'key', keyId: key.id, keyName: key.name, fingerprint: key.fingerprint },
        key,
      };
    }
    if (keys.length === 0) return { verified: false, signer: { kind: 'key' }, reason: NO_REGISTERED_KEY_REASON };
    const why = signer.signatureError === undefined ? '' : `: ${signer.signatureError}`;
    return {
      verified: false,
      signer: { kind: 'key' },
      reason: `${noRegisteredKeyVerifies(keys.length, workflow)}${why}`,
    };
  }

  /** Why a certificate-signed bundle is not acceptable for this workflow's run, or undefined when it is. */
  private async keylessRefusal(
    workflow: WorkflowRecord,
    run: RunRecord,
    leafDer: Uint8Array,
    signatureError: string | undefined,
  ): Promise<{ code: string; reason: string } | undefined> {
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(leafDer);
    } catch {
      return { code: 'ATTESTATION_CERTIFICATE_INVALID', reason: CERTIFICATE_INVALID };
    }
    if (!(leaf.checkIssued(this.ca.certificate) && leaf.verify(this.ca.certificate.publicKey))) {
      return {
        code: 'ATTESTATION_CERTIFICATE_UNTRUSTED',
        reason: `the signing certificate (issuer "${leaf.issuer.replace(/\n/g, ', ')}") was not issued by this control plane's CA: push without --key against this control plane, or sign with a registered key`,
      };
    }
    const issuedFor = certificateWorkflowId(leaf);
    if (issuedFor !== workflow.id) {
      return {
        code: 'ATTESTATION_CERTIFICATE_WRONG_WORKFLOW',
        reason: `the signing certificate was issued for workflow ${issuedFor ?? '(none)'}, not for workflow "${workflow.name}" (${workflow.id}): sign with a certificate requested for this workflow's run`,
      };
    }
    const issued = await this.repository.getSigningCertificate(leaf.serialNumber);
    if (!issued) {
      return {
        code: 'ATTESTATION_CERTIFICATE_UNTRUSTED',
        reason: `the signing certificate ${leaf.serialNumber} carries this control plane's CA but was not issued by this control plane: push without --key against the control plane that stores the attestation`,
      };
    }
    if (issued.runId !== run.id) {
      return {
        code: 'ATTESTATION_CERTIFICATE_WRONG_RUN',
        reason: `the signing certificate was issued for run ${issued.runId}, not for run ${run.id}: push the attestation crafted for this run`,
      };
    }
    if (signatureError !== undefined) return { code: 'ATTESTATION_SIGNATURE_INVALID', reason: signatureError };
    return undefined;
  }
}

const CERTIFICATE_INVALID = 'the bundle certificate is not a valid X.509 certificate';

/** One line per distinguished name (`O=…, CN=…`) and ISO times, as the run detail shows a certificate. */
function certificateView(leaf: X509Certificate): SignerView {
  return {
    kind: 'certificate',
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    serial: leaf.serialNumber,
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
  };
}
