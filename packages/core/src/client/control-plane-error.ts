import { ChainloopError } from '../errors';

/** An error answer of the control plane: the server's code and message, plus the HTTP status. */
export class ControlPlaneError extends ChainloopError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.name = 'ControlPlaneError';
    this.status = status;
  }
}

/** The control plane could not be reached, or the connection failed before its whole answer arrived. */
export class ControlPlaneUnreachableError extends ChainloopError {
  /**
   * False when no attempt can have reached the control plane (connection refused, host unknown or unreachable, TLS
   * handshake failed); true when one may have been received and processed, its answer lost (a reset connection, a
   * timeout, a 5xx retried): a caller that must not do something twice checks this.
   */
  readonly requestMayHaveArrived: boolean;

  constructor(message: string, options: { cause?: unknown; requestMayHaveArrived: boolean }) {
    super('CONTROL_PLANE_UNREACHABLE', message, { cause: options.cause });
    this.name = 'ControlPlaneUnreachableError';
    this.requestMayHaveArrived = options.requestMayHaveArrived;
  }
}

export function unreachable(
  baseUrl: string,
  reason: string,
  cause?: unknown,
  requestMayHaveArrived = true,
): ControlPlaneUnreachableError {
  return new ControlPlaneUnreachableError(
    `cannot reach the control plane at ${baseUrl} (${reason}): check --control-plane / CHAINLOOP_CONTROL_PLANE_API and that it is running`,
    { cause, requestMayHaveArrived },
  );
}
