import type { OciCasLocation } from './cas/oci-location';
import type { LogSink } from './log-sink';

/** Everything a control plane process needs to start; `configFromOptions` fills it from flags. */
export interface ControlPlaneConfig {
  /** Host to bind; 127.0.0.1 by default so a fresh install is not reachable from the network. */
  host: string;
  /** 0 picks a free port (tests); the bound one is in `RunningControlPlane.url`. */
  port: number;
  dataDir: string;
  /** PostgreSQL connection URL; when absent the store is SQLite in DATA_DIR/control-plane.db. */
  databaseUrl?: string;
  /** The CAS in an OCI registry (`--cas oci://…`); when absent the CAS is DATA_DIR/cas. */
  cas?: OciCasLocation;
  /** Admin token from CHAINLOOP_CP_ADMIN_TOKEN; when absent one is generated into DATA_DIR/admin.token. */
  adminToken?: string;
  /** Largest accepted CAS blob in bytes. */
  maxBlobBytes: number;
  /** Largest accepted JSON request body in bytes (attestation bundles are the biggest). */
  maxJsonBodyBytes: number;
  /** Statements naming more materials (or subjects) than this are refused. */
  maxMaterials: number;
  /** Runs still `initialized` after this many milliseconds are marked `expired`. */
  runExpiryMs: number;
  /** Keyless signing CA given as files; when absent the CA lives in DATA_DIR/signing-ca (created on first start). */
  caCertPath?: string;
  caKeyPath?: string;
  /** Lifetime of keyless signing certificates, in minutes (10, as the original's). */
  signingCertificateMinutes: number;
  /** A request body that sends no byte for this long has its connection closed (and its upload removed). */
  bodyTimeoutMs: number;
  /** A connection that has not sent complete request headers after this long is closed. */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Requests per token (per client address without a valid one) in each window; undefined: no limit. */
  rateLimit?: { max: number; windowMs: number };
  /** Serve HTTPS with this certificate chain and key (PEM text). */
  tls?: { certPem: string; keyPem: string };
  /** Serve /metrics without a token. */
  metricsPublic: boolean;
  /** Where log lines go; undefined keeps the server silent. */
  log?: LogSink;
  /** One line per request (off with --quiet; warnings and errors are logged regardless). */
  logRequests: boolean;
  /** The single-file CLI served at /v1/downloads/chainloop.cjs; absent: the one shipped with this control plane. */
  cliBundlePath?: string;
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
    maxMaterials: 10_000,
    runExpiryMs: 24 * 60 * 60 * 1000,
    signingCertificateMinutes: 10,
    bodyTimeoutMs: 60_000,
    headersTimeoutMs: 30_000,
    keepAliveTimeoutMs: 72_000,
    rateLimit: { max: 6000, windowMs: 60_000 },
    metricsPublic: false,
    logRequests: true,
    ...overrides,
  };
}
