import type { ControlPlaneClient } from '../client/index';
import { ChainloopError } from '../errors';
import { notInitialized, parseState } from './local-state-store';
import type { CraftingState } from './state';
import type { StateStore } from './state-store';

const MAX_CONFLICT_RETRIES = 50;

/**
 * The crafting state kept by the control plane for one run, so init, adds and push can run in different CI jobs.
 * Writes carry the ETag they were based on; a 409 means another job wrote first, so the change is re-applied to the
 * fresh state — parallel jobs adding different materials lose nothing.
 */
export class RemoteStateStore implements StateStore {
  readonly description: string;

  constructor(
    private readonly client: ControlPlaneClient,
    readonly attestationId: string,
  ) {
    this.description = `remote state of attestation ${attestationId}`;
  }

  /**
   * Undefined once the run has finished (pushed, reset or expired): finishing it again is then a no-op. One exception:
   * a run that succeeded while its state is still there was pushed by a push that never heard the answer (a pushed
   * state is removed once the answer is in). The state is returned marked as such, so that push again recognises
   * the stored attestation and ends well instead of saying that nothing was initialized.
   */
  async read(): Promise<CraftingState | undefined> {
    const [run, found] = await Promise.all([
      this.client.getRun(this.attestationId),
      this.client.readRunState(this.attestationId),
    ]);
    if (!found || found.state === null || found.state === undefined) return undefined;
    if (run.status === 'succeeded') {
      const state = parseState(JSON.stringify(found.state), this.description);
      return { ...state, pendingPush: state.pendingPush ?? { finishedAt: run.finishedAt ?? run.createdAt } };
    }
    if (run.status !== 'initialized') return undefined;
    return parseState(JSON.stringify(found.state), this.description);
  }

  async create(state: CraftingState): Promise<void> {
    await this.client.writeRunState(this.attestationId, state);
  }

  async update(change: (state: CraftingState) => CraftingState): Promise<CraftingState> {
    for (let attempt = 0; ; attempt++) {
      const found = await this.client.readRunState(this.attestationId);
      if (!found || found.state === null || found.state === undefined) throw notInitialized(this.description);
      const next = change(parseState(JSON.stringify(found.state), this.description));
      try {
        await this.client.writeRunState(this.attestationId, next, found.etag);
        return next;
      } catch (error) {
        if (!(error instanceof ChainloopError) || error.code !== 'STATE_CONFLICT' || attempt >= MAX_CONFLICT_RETRIES) {
          throw error;
        }
        await delay(Math.min(20 * 2 ** Math.min(attempt, 6), 1000) * (0.5 + Math.random()));
      }
    }
  }

  /**
   * An active run's state is emptied. A finished run's status already ends it; the state a lost answer left on a
   * succeeded run is removed.
   */
  async clear(): Promise<void> {
    const { status } = await this.client.getRun(this.attestationId);
    if (status === 'succeeded') {
      await this.client.deleteRunState(this.attestationId);
      return;
    }
    if (status !== 'initialized') return;
    const found = await this.client.readRunState(this.attestationId);
    if (!found || found.state === null) return;
    await this.client.writeRunState(this.attestationId, null, found.etag);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
