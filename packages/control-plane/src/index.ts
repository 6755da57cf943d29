// Public surface of the control plane: start a server in-process (used by tests and `chainloop control-plane start`).
export type { AttestationVerifier } from './attestation-verifier';
export type { BlobInfo, CasBackend } from './cas/backend';
export { FilesystemCasBackend } from './cas/filesystem-backend';
export { type ControlPlaneConfig, defaultConfig } from './config';
export { type LogLevel, type LogSink, StreamLogSink } from './log-sink';
export { type ControlPlaneDependencies, type RunningControlPlane, startControlPlane } from './server';
export { configFromOptions, type ServeOutput, serve } from './start';
export {
  DEFAULT_RATE_LIMIT,
  START_ENVIRONMENT_HELP,
  START_OPTIONS,
  type StartOptionSpec,
  type StartOptions,
} from './start-options';
export { KyselyRepository } from './storage/kysely-repository';
export type { Repository } from './storage/repository';
