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

export function unreachable(baseUrl: string, reason: string, cause?: unknown): ChainloopError {
  return new ChainloopError(
    'CONTROL_PLANE_UNREACHABLE',
    `cannot reach the control plane at ${baseUrl} (${reason}): check --control-plane / CHAINLOOP_CONTROL_PLANE_API and that it is running`,
    { cause },
  );
}
