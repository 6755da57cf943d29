/** Anything that can sign the DSSE pre-authentication encoding: a cosign key, an ephemeral keyless key, later KMS. */
export interface Signer {
  /** Signature over `data` as the verifier expects it (ECDSA: ASN.1 DER). */
  sign(data: Buffer): Promise<Buffer>;
  /** SPKI PEM of the public key. */
  publicKeyPem: string;
  /** base64(sha256(SPKI DER)): the Sigstore bundle `publicKey.hint`. */
  keyHint: string;
  /** PEM chain, leaf first, when the signer is certificate-based (keyless). */
  certificateChainPem?: string[];
}
