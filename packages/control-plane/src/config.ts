/** Everything a control plane process needs to start; `parseStartArguments` fills it from flags. */
export interface ControlPlaneConfig {
  /** Host to bind; 127.0.0.1 by default so a fresh install is not reachable from the network. */
  host: string;
  /** 0 picks a free port (tests); the bound one is in `RunningControlPlane.url`. */
  port: number;
  dataDir: string;
  /** PostgreSQL connection URL; when absent the store is SQLite in DATA_DIR/control-plane.db. */
  databaseUrl?: string;
  /** Admin token from CHAINLOOP_CP_ADMIN_TOKEN; when absent one is generated into DATA_DIR/admin.token. */
  adminToken?: string;
  /** Largest accepted CAS blob in bytes. */
  maxBlobBytes: number;
  /** Largest accepted JSON request body in bytes (attestation bundles are the biggest). */
  maxJsonBodyBytes: number;
  /** Runs still `initialized` after this many milliseconds are marked `expired`. */
  runExpiryMs: number;
  /** Keyless signing CA given as files; when absent the CA lives in DATA_DIR/signing-ca (created on first start). */
  caCertPath?: string;
  caKeyPath?: string;
  /** Lifetime of keyless signing certificates, in minutes (10, as the original's). */
  signingCertificateMinutes: number;
  /** Writes one line per request to this sink; undefined keeps the server quiet. */
  log?: (line: string) => void;
}

export const DEFAULT_LISTEN = '127.0.0.1:8000';
export const DEFAULT_DATA_DIR = '.chainloop';
export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export function defaultConfig(overrides: Partial<ControlPlaneConfig> = {}): ControlPlaneConfig {
  return {
    host: '127.0.0.1',
    port: 8000,
    dataDir: DEFAULT_DATA_DIR,
    maxBlobBytes: 10 * GiB,
    maxJsonBodyBytes: 32 * MiB,
    runExpiryMs: 24 * 60 * 60 * 1000,
    signingCertificateMinutes: 10,
    ...overrides,
  };
}
