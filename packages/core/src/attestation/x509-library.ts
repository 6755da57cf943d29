import { webcrypto } from 'node:crypto';

export type WebCryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * @peculiar/x509 (certificates and CSRs, which Node cannot build), loaded lazily to keep CLI start-up fast. Outside
 * browsers it has no default WebCrypto provider, so Node's is registered on first use.
 */
export async function loadX509Library() {
  // tsyringe inside @peculiar/x509 needs the Reflect metadata API before the library loads.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as never);
  return x509;
}
