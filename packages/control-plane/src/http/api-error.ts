import { ChainloopError } from '@chainloop-ts/core';

/** An error with the HTTP status it answers with; the body is always `{code, message}`. */
export class ApiError extends ChainloopError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Status codes for errors thrown below the HTTP layer (CAS backends, storage), keyed by their stable code. */
const STATUS_BY_CODE: Record<string, number> = {
  DIGEST_MISMATCH: 400,
  INVALID_DIGEST: 400,
  CONTRACT_INVALID: 400,
  BLOB_TOO_LARGE: 413,
  BODY_TOO_LARGE: 413,
  STATE_CONFLICT: 409,
  // The OCI CAS's registry: down or refusing us is the control plane's problem, not the caller's.
  CAS_UNREACHABLE: 503,
  CAS_MOUNT_FAILED: 503,
  CAS_AUTH_REQUIRED: 502,
  CAS_AUTH_FAILED: 502,
  CAS_REGISTRY_ERROR: 502,
  CAS_DIGEST_MISMATCH: 502,
  WORKFLOW_EXISTS: 409,
};

export function statusForCode(code: string): number | undefined {
  return STATUS_BY_CODE[code];
}

export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
