export { ControlPlaneClient } from './control-plane-client';
export { ControlPlaneError, ControlPlaneUnreachableError } from './control-plane-error';
export { createKeylessSigner } from './keyless-signer';
export type { TransportOptions as ControlPlaneClientOptions } from './transport';
export type * from './types';
