/**
 * Typed errors shared by every package. Callers branch on `code`; the message is what a user reads,
 * one line naming the thing, the reason and the fix.
 */
/** 1: failed, 2: usage, 4: a policy gate blocked the push (Chainloop's exit code for gates). */
export type ExitCode = 1 | 2 | 4;

export interface ChainloopErrorOptions {
  cause?: unknown;
  /** 2 for usage errors (bad flags or values), 4 for policy gates, 1 for everything else. */
  exitCode?: ExitCode;
  /** Errors a pipeline may choose to tolerate with --graceful-exit. */
  graceful?: boolean;
}

export class ChainloopError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly graceful: boolean;

  constructor(code: string, message: string, options: ChainloopErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChainloopError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.graceful = options.graceful ?? true;
  }
}

/** A bad flag, argument or value given by the user: exit code 2. */
export class UsageError extends ChainloopError {
  constructor(code: string, message: string, options: Omit<ChainloopErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

export function isChainloopError(error: unknown): error is ChainloopError {
  return error instanceof ChainloopError;
}
