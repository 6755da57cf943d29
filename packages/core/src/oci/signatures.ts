import type { RegistryClient } from './registry-client';

/** A signature found next to an image. */
export interface ImageSignature {
  provider: 'cosign' | 'notary';
  /** Digest of the manifest that carries the signature. */
  digest: string;
}

/** cosign's tag convention: the signature of `sha256:<hex>` lives at tag `sha256-<hex>.sig` in the same repository. */
export function cosignSignatureTag(imageDigest: string): string {
  return `${imageDigest.replace(':', '-')}.sig`;
}

/**
 * One extra HEAD for `sha256-<hex>.sig`. Best effort, as in Chainloop: a registry that fails this lookup does not
 * fail the material, it just records no signature.
 */
export async function findCosignSignature(
  client: RegistryClient,
  imageDigest: string,
): Promise<ImageSignature | undefined> {
  try {
    const found = await client.findManifest(cosignSignatureTag(imageDigest));
    return found ? { provider: 'cosign', digest: found.digest } : undefined;
  } catch {
    return undefined;
  }
}
