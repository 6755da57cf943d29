import type { Signer } from '@chainloop-ts/core/attestation';
import type { CraftingContext, CraftingState } from '@chainloop-ts/core/crafter';

/**
 * The push signer for a --key value: a cosign key (file or env://VAR); without one, keyless: an ephemeral key
 * certified for the attestation's run by the control plane.
 */
export function signerFor(
  key: string | undefined,
  context: CraftingContext,
): (state: CraftingState) => Promise<Signer> {
  return async (state) => {
    if (key) {
      const { loadSigningKey } = await import('@chainloop-ts/core/attestation');
      return loadSigningKey(key, { env: process.env });
    }
    const { createKeylessSigner } = await import('@chainloop-ts/core/client');
    const { requireClient } = await import('@chainloop-ts/core/crafter');
    return createKeylessSigner(requireClient(context.client), state.dryRun ? undefined : state.workflow.runId);
  };
}
