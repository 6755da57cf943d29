import type { CraftingState } from './state';

/**
 * Where the crafting state lives between commands. Implementations: a local file (LocalStateStore) and the
 * control plane's run state (RemoteStateStore). Both serialise concurrent updates so that parallel `add`s lose nothing.
 */
export interface StateStore {
  /** Human description for messages ("local state /tmp/…", "remote state of attestation <id>"). */
  readonly description: string;
  /** The current state, or undefined when no attestation is in progress. */
  read(): Promise<CraftingState | undefined>;
  /** Writes the initial state; refuses when one exists unless `replace`. */
  create(state: CraftingState, options?: { replace?: boolean }): Promise<void>;
  /** Read-modify-write under the store's concurrency control; `change` may run more than once on conflicts. */
  update(change: (state: CraftingState) => CraftingState): Promise<CraftingState>;
  /** Forgets the state (after push or reset). Harmless when there is none. */
  clear(): Promise<void>;
}
