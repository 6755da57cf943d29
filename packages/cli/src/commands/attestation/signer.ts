import type { Signer } from '@chainloop-ts/core/attestation';
import type { CraftingContext, StateStore } from '@chainloop-ts/core/crafter';

/** What keyless signing needs from the command: the control plane client, and the state holding the run id. */
export interface KeylessSource {
  context: CraftingContext;
  store: StateStore;
}

/**
 * The push signer for a --key value: a cosign key (file or env://VAR); without one, keyless: an ephemeral key
 * certified for the attestation's run by the control plane.
 */
export function signerFor(key: string | undefined, keyless: KeylessSource): () => Promise<Signer> {
  return async () => {
    if (key) {
      const { loadSigningKey } = await import('@chainloop-ts/core/attestation');
      return loadSigningKey(key, { env: process.env });
    }
    const { createKeylessSigner } = await import('@chainloop-ts/core/client');
    const { requireClient } = await import('@chainloop-ts/core/crafter');
    // Push has just read this state; the signer is made only once the attestation is complete.
    const state = await keyless.store.read();
    return createKeylessSigner(
      requireClient(keyless.context.client),
      state?.dryRun ? undefined : state?.workflow.runId,
    );
  };
}
