import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChainloopError } from '../errors';
import { inPhase } from '../phase-timings';
import { CRAFTING_STATE_VERSION, type CraftingState } from './state';
import type { StateStore } from './state-store';

/** The original CLI's default location, so one machine has one attestation in progress unless told otherwise. */
export function defaultLocalStatePath(): string {
  return join(tmpdir(), 'chainloop-attestation.tmp.json');
}

/** Temporary files this process wrote, for unique names. */
let temporaryFiles = 0;

/**
 * The crafting state in a local JSON file: written atomically (temp file + rename), updated under a lock file so
 * two `add` commands running at once both land.
 */
export class LocalStateStore implements StateStore {
  readonly description: string;

  constructor(readonly path: string = defaultLocalStatePath()) {
    this.description = `local state ${path}`;
  }

  read(): Promise<CraftingState | undefined> {
    // Reading and parsing the file is state-reading time (CHAINLOOP_PHASE_TIMINGS).
    return inPhase('stateRead', () => this.readAndParse());
  }

  private async readAndParse(): Promise<CraftingState | undefined> {
    let text: string;
    try {
      // Synchronous: a state is a few KB, and `status` then needs no node:fs/promises (with the readline and stream
      // modules it loads, ~1 ms of start-up).
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ChainloopError(
        'STATE_UNREADABLE',
        `cannot read ${this.description}: ${(error as Error).message}; check the file's permissions or pass --local-state-path`,
        { cause: error },
      );
    }
    return parseState(text, this.description);
  }

  async create(state: CraftingState, options: { replace?: boolean } = {}): Promise<void> {
    await this.createWith(async () => state, options);
  }

  /**
   * Refuses an attestation already in progress (unless `replace`), then writes what `build` returns, all under the
   * lock: whatever `build` does (init creates the run in the control plane) happens only when the write will be made,
   * so a refused init leaves nothing behind. With `replace`, answers the state it overwrote (`replaced`; undefined
   * when there was none or it could not be read), so its run can be finished.
   */
  async createWith(
    build: () => Promise<CraftingState>,
    options: { replace?: boolean } = {},
  ): Promise<{ state: CraftingState; replaced?: CraftingState }> {
    return this.withLock(async () => {
      let replaced: CraftingState | undefined;
      if (options.replace) {
        // A corrupt or unreadable state is what --replace is for: it is overwritten, with no run to finish.
        replaced = await this.read().catch(() => undefined);
      } else if (await this.read()) {
        throw new ChainloopError(
          'ATTESTATION_ALREADY_INITIALIZED',
          `attestation already initialized (${this.description}): push or reset it first, or run init with --replace`,
          { graceful: false },
        );
      }
      const state = await build();
      await this.writeAtomically(state);
      return { state, replaced };
    });
  }

  async update(change: (state: CraftingState) => CraftingState): Promise<CraftingState> {
    return this.withLock(async () => {
      const current = await this.read();
      if (!current) throw notInitialized(this.description);
      const next = change(current);
      await this.writeAtomically(next);
      return next;
    });
  }

  async clear(): Promise<void> {
    await this.withLock(() => inPhase('stateWrite', () => rm(this.path, { force: true })));
  }

  private async writeAtomically(state: CraftingState): Promise<void> {
    await inPhase('stateWrite', () => this.writeFileAtomically(state));
  }

  private async writeFileAtomically(state: CraftingState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    // Unique per process and write, and created exclusively ('wx'): nothing else's file is ever overwritten. No random
    // name: it would load node:crypto (~2 ms) into commands that need nothing else from it.
    const temporary = `${this.path}.${process.pid}.${Date.now().toString(36)}-${++temporaryFiles}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temporary, this.path);
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    // Taking and releasing the lock is state-writing time (CHAINLOOP_PHASE_TIMINGS); what `work` does is its own.
    const release = await inPhase('stateWrite', () => this.lock());
    try {
      return await work();
    } finally {
      await inPhase('stateWrite', release);
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true });
    try {
      // Loaded on first write only (it patches fs through graceful-fs): reading the state for `status` needs no lock.
      const { default: lockfile } = await import('proper-lockfile');
      return await lockfile.lock(this.path, {
        realpath: false,
        stale: 10_000,
        retries: { retries: 200, minTimeout: 10, maxTimeout: 100, factor: 1.3 },
      });
    } catch (error) {
      throw new ChainloopError(
        'STATE_LOCKED',
        `${this.description} is locked by another chainloop command: wait for it to finish, or remove ${this.path}.lock if none runs`,
        { cause: error },
      );
    }
  }
}

export function notInitialized(where: string): ChainloopError {
  return new ChainloopError(
    'ATTESTATION_NOT_INITIALIZED',
    `attestation not yet initialized (${where}): run chainloop attestation init first`,
    { graceful: false },
  );
}

export function parseState(text: string, where: string): CraftingState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ChainloopError(
      'STATE_CORRUPT',
      `${where} is not valid JSON: run chainloop attestation reset, or init --replace to start over`,
    );
  }
  const state = value as CraftingState;
  if (!state || typeof state !== 'object' || state.version !== CRAFTING_STATE_VERSION || !state.workflow) {
    throw new ChainloopError(
      'STATE_CORRUPT',
      `${where} is not a chainloop crafting state (version ${CRAFTING_STATE_VERSION}): run chainloop attestation init --replace`,
    );
  }
  if (state.blockOnPolicyViolation !== undefined && typeof state.blockOnPolicyViolation !== 'boolean') {
    throw new ChainloopError(
      'STATE_CORRUPT',
      `${where} has a blockOnPolicyViolation that is not true or false: run chainloop attestation init --replace`,
    );
  }
  return state;
}
