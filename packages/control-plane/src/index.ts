// Public surface of the control plane: start a server in-process (used by tests and `chainloop control-plane start`).
export type { AttestationVerifier } from './attestation-verifier';
export type { BlobInfo, CasBackend } from './cas/backend';
export { FilesystemCasBackend } from './cas/filesystem-backend';
export { type ControlPlaneConfig, defaultConfig } from './config';
export { type ControlPlaneDependencies, type RunningControlPlane, startControlPlane } from './server';
export { configFromOptions, START_OPTION_HELP, type StartOptions, serve } from './start';
export { PostgresRepository } from './storage/postgres-repository';
export type { Repository } from './storage/repository';
export { SqliteRepository } from './storage/sqlite-repository';
