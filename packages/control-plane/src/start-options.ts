/**
 * The flags of `control-plane start`, as data: the control plane's own bin (`chainloop-control-plane start`) and the
 * CLI's `chainloop control-plane start` both build their parsers and help from this table, so they cannot drift.
 * It imports nothing, so the CLI bundle carries it without loading the control plane.
 */
export interface StartOptions {
  listen?: string;
  dataDir?: string;
  databaseUrl?: string;
  /** `oci://host[:port]/repository`: the CAS in an OCI registry instead of the data directory. */
  cas?: string;
  /** Plain HTTP to the --cas registry (loopback only). */
  casInsecure?: boolean;
  /** Comma-separated repositories of the --cas registry to mount blobs from when they are there already. */
  casMountFrom?: string;
  maxBlobSize?: string;
  maxBodySize?: string;
  maxMaterials?: string;
  runExpiry?: string;
  /** Keyless signing CA certificate (PEM, issuing CA first) and its unencrypted key; both or neither. */
  caCert?: string;
  caKey?: string;
  /** Lifetime of keyless signing certificates, e.g. 10m. */
  signingCertValidity?: string;
  bodyTimeout?: string;
  headersTimeout?: string;
  keepAliveTimeout?: string;
  rateLimit?: string;
  tlsCert?: string;
  tlsKey?: string;
  metricsPublic?: boolean;
  /** Do not log one line per request. */
  quiet?: boolean;
  /** The CLI bundle to serve at /v1/downloads/chainloop.cjs. */
  cliBundle?: string;
}

export interface StartOptionSpec {
  /** The StartOptions field: the flag's name in camelCase, as commander derives it. */
  key: keyof StartOptions;
  flag: `--${string}`;
  /** The value's placeholder in help; absent for a boolean flag. */
  value?: string;
  help: string;
}

export const DEFAULT_RATE_LIMIT = '6000/1m';

export const START_OPTIONS: StartOptionSpec[] = [
  {
    key: 'listen',
    flag: '--listen',
    value: 'host:port',
    help: 'address to listen on (default 127.0.0.1:8000; port 0 picks a free one)',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    value: 'dir',
    help: 'directory for the database, the CAS and the admin token, kept mode 0700 (default ./.chainloop)',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url',
    value: 'url',
    help: 'PostgreSQL URL (env CHAINLOOP_CP_DATABASE_URL); default: SQLite in the data directory',
  },
  {
    key: 'cas',
    flag: '--cas',
    value: 'oci://host[:port]/repository',
    help: 'keep the CAS in an OCI registry (credentials: CHAINLOOP_CP_CAS_USERNAME/_PASSWORD, else the docker config); default: DIR/cas',
  },
  {
    key: 'casInsecure',
    flag: '--cas-insecure',
    help: 'plain HTTP to the --cas registry (only for a registry on loopback)',
  },
  {
    key: 'casMountFrom',
    flag: '--cas-mount-from',
    value: 'repositories',
    help: 'comma-separated repositories of the --cas registry whose blobs are mounted instead of uploaded again',
  },
  { key: 'maxBlobSize', flag: '--max-blob-size', value: 'size', help: 'largest CAS blob accepted (default 10GiB)' },
  {
    key: 'maxBodySize',
    flag: '--max-body-size',
    value: 'size',
    help: 'largest JSON request body accepted, e.g. 32MiB (default 32MiB)',
  },
  {
    key: 'maxMaterials',
    flag: '--max-materials',
    value: 'count',
    help: 'most materials (and subjects) an attestation may name (default 10000)',
  },
  {
    key: 'runExpiry',
    flag: '--run-expiry',
    value: 'duration',
    help: 'runs still initialized after this long are marked expired (default 24h)',
  },
  {
    key: 'caCert',
    flag: '--ca-cert',
    value: 'file',
    help: 'keyless signing CA certificate PEM (with --ca-key); default: a CA created in DIR/signing-ca',
  },
  {
    key: 'caKey',
    flag: '--ca-key',
    value: 'file',
    help: 'unencrypted private key PEM of --ca-cert (keep it mode 0600)',
  },
  {
    key: 'signingCertValidity',
    flag: '--signing-cert-validity',
    value: 'duration',
    help: 'lifetime of keyless signing certificates, 1m to 24h (default 10m)',
  },
  {
    key: 'bodyTimeout',
    flag: '--body-timeout',
    value: 'duration',
    help: 'close a connection whose request body sends no byte for this long (default 60s)',
  },
  {
    key: 'headersTimeout',
    flag: '--headers-timeout',
    value: 'duration',
    help: 'close a connection that has not sent its request headers after this long (default 30s)',
  },
  {
    key: 'keepAliveTimeout',
    flag: '--keep-alive-timeout',
    value: 'duration',
    help: 'close an idle kept-alive connection after this long (default 72s, above common load balancer idle times)',
  },
  {
    key: 'rateLimit',
    flag: '--rate-limit',
    value: 'count/duration',
    help: `requests per token (per address without one) in a window, then 429 with Retry-After; 0 turns it off (default ${DEFAULT_RATE_LIMIT})`,
  },
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    value: 'file',
    help: 'serve HTTPS with this certificate (PEM, chain after the leaf)',
  },
  { key: 'tlsKey', flag: '--tls-key', value: 'file', help: 'private key PEM of --tls-cert' },
  {
    key: 'metricsPublic',
    flag: '--metrics-public',
    help: 'serve /metrics without a token (default: admin token needed)',
  },
  { key: 'quiet', flag: '--quiet', help: 'do not log one line per request' },
  {
    key: 'cliBundle',
    flag: '--cli-bundle',
    value: 'file',
    help: 'the chainloop.cjs served to CI jobs at /v1/downloads/chainloop.cjs (default: the one shipped with this version)',
  },
];

export const START_ENVIRONMENT_HELP =
  'The admin token comes from CHAINLOOP_CP_ADMIN_TOKEN, else it is generated into DIR/admin.token. ' +
  'The --cas registry credentials come from CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD, else from the docker config (DOCKER_CONFIG).';
