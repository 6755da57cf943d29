import type { Signer } from '@chainloop-ts/core/attestation';

/** The push signer for a --key value: a cosign key (file or env://VAR); keyless when no key is given. */
export function signerFor(key: string | undefined): () => Promise<Signer> {
  return async () => {
    if (!key) {
      const { ChainloopError } = await import('@chainloop-ts/core');
      throw new ChainloopError(
        'KEYLESS_UNAVAILABLE',
        'keyless signing is not available from this control plane: pass a cosign key with --key FILE or --key env://VAR',
      );
    }
    const { loadSigningKey } = await import('@chainloop-ts/core/attestation');
    return loadSigningKey(key, { env: process.env });
  };
}
