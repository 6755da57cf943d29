// Signing and verification: cosign keys, DSSE, in-toto statements, Sigstore bundles, keyless certificates.
export { decodeBase64Strict } from './base64';
export {
  BUNDLE_V03_MEDIA_TYPE,
  type BundleSignerMaterial,
  createCertificateBundle,
  createKeyBundle,
  isSigstoreBundle,
  readBundle,
  type SigstoreBundle,
  serializeBundle,
} from './bundle';
export { type CertificateAuthority, createCertificateAuthority, issueSigningCertificate } from './ca';
export { parseCertificatesPem, verifyCertificateChain } from './certificate-chain';
export {
  COSIGN_PRIVATE_KEY_LABELS,
  DEFAULT_KDF_N,
  decryptCosignPrivateKey,
  type EncryptedKeyData,
  encryptCosignPrivateKey,
  type KdfN,
  openEncryptedKeyData,
  parseCosignPrivateKeyPem,
  SUPPORTED_KDF_N,
} from './cosign-key';
export { createEnvelope, type DecodedEnvelope, type DsseEnvelope, decodeEnvelope, preAuthEncoding } from './dsse';
export { type EphemeralSigner, generateEphemeralSigner } from './ephemeral-signer';
export { ENV_KEY_SCHEME, readKeyReference } from './key-ref';
export { KeySigner, type LoadSigningKeyOptions, loadSigningKey } from './key-signer';
export { checkKeyPairTargets, type GeneratedKeyPair, generateKeyPair, writeKeyPairFiles } from './keygen';
export { decodePemBlocks, encodePem, type PemBlock } from './pem';
export { importPkcs8PrivateKey } from './pkcs8';
export { importPublicKeyPem, publicKeyHint, publicKeyPemOf } from './public-key';
export { type SignedStatement, signStatement } from './sign';
export { type SignatureAlgorithm, signatureAlgorithmFor, signWithKey, verifyWithKey } from './signature-algorithm';
export type { Signer } from './signer';
export {
  readSigningPassword,
  resolveNewKeyPassword,
  resolveSigningPassword,
  SIGNING_PASSWORD_ENV,
  type SigningPassword,
  type SigningPasswordOptions,
  type SigningPasswordSource,
  signingPasswordMissing,
} from './signing-password';
export {
  IN_TOTO_PAYLOAD_TYPE,
  type InTotoStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE_V1,
  STATEMENT_TYPE_V01,
  validateStatement,
} from './statement';
export { type VerificationTrust, type VerifiedAttestation, type VerifyOptions, verifyAttestation } from './verify';
