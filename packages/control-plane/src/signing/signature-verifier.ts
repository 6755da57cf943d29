import { X509Certificate } from 'node:crypto';
import type { AttestationVerifier } from '../attestation-verifier';
import { badRequest } from '../http/api-error';
import type { InspectedAttestation } from '../intake/inspect-attestation';
import type { Repository, RunRecord, WorkflowRecord } from '../storage/repository';
import type { SigningCa } from './signing-ca';
import { certificateWorkflowId } from './signing-certificate';

const refused = (code: string, reason: string) => badRequest(code, `attestation refused: ${reason}`);

/**
 * Decides whether a pushed attestation's signature is acceptable (a registered workflow key, or a certificate from
 * this control plane's CA), as the original does at Store. The signature checks themselves ran on a worker thread
 * (intake/inspect-attestation.ts); this applies the rules:
 * - a bundle with a certificate must chain to our signing CA at signing time, carry a valid signature, and its
 *   certificate must have been issued for this workflow (its subject) and this run (our issuance record);
 * - a key-signed bundle must verify with one of the workflow's registered public keys, when it has any;
 * - without registered keys, a key-signed bundle (or anything without verification material) is accepted as
 *   unverifiable.
 */
export class SignatureVerifier implements AttestationVerifier {
  constructor(
    private readonly repository: Repository,
    private readonly ca: SigningCa,
  ) {}

  async verify(workflow: WorkflowRecord, attestation: InspectedAttestation, run: RunRecord): Promise<void> {
    const { signer } = attestation;
    if (signer.kind === 'unreadable') throw refused('ATTESTATION_INVALID', signer.reason);
    if (signer.kind === 'certificate') return this.verifyKeyless(workflow, run, signer.leafDer, signer.signatureError);
    const keyCount = (await this.repository.listWorkflowKeys(workflow.id)).length;
    if (keyCount === 0 || signer.verifiedWithKey !== undefined) return;
    throw refused(
      'ATTESTATION_SIGNATURE_INVALID',
      `the attestation does not verify with any of the ${keyCount} public key(s) registered for workflow "${workflow.name}": sign with a registered key (chainloop workflow key list --workflow ${workflow.name}) or push without --key`,
    );
  }

  private async verifyKeyless(
    workflow: WorkflowRecord,
    run: RunRecord,
    leafDer: Uint8Array,
    signatureError: string | undefined,
  ): Promise<void> {
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(leafDer);
    } catch {
      throw refused('ATTESTATION_CERTIFICATE_INVALID', 'the bundle certificate is not a valid X.509 certificate');
    }
    if (!(leaf.checkIssued(this.ca.certificate) && leaf.verify(this.ca.certificate.publicKey))) {
      throw refused(
        'ATTESTATION_CERTIFICATE_UNTRUSTED',
        `the signing certificate (issuer "${leaf.issuer.replace(/\n/g, ', ')}") was not issued by this control plane's CA: push without --key against this control plane, or sign with a registered key`,
      );
    }
    const issuedFor = certificateWorkflowId(leaf);
    if (issuedFor !== workflow.id) {
      throw refused(
        'ATTESTATION_CERTIFICATE_WRONG_WORKFLOW',
        `the signing certificate was issued for workflow ${issuedFor ?? '(none)'}, not for workflow "${workflow.name}" (${workflow.id}): sign with a certificate requested for this workflow's run`,
      );
    }
    const issued = await this.repository.getSigningCertificate(leaf.serialNumber);
    if (!issued) {
      throw refused(
        'ATTESTATION_CERTIFICATE_UNTRUSTED',
        `the signing certificate ${leaf.serialNumber} carries this control plane's CA but was not issued by this control plane: push without --key against the control plane that stores the attestation`,
      );
    }
    if (issued.runId !== run.id) {
      throw refused(
        'ATTESTATION_CERTIFICATE_WRONG_RUN',
        `the signing certificate was issued for run ${issued.runId}, not for run ${run.id}: push the attestation crafted for this run`,
      );
    }
    if (signatureError !== undefined) throw refused('ATTESTATION_SIGNATURE_INVALID', signatureError);
  }
}
