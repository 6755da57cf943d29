import { resolve } from 'node:path';
import { UsageError } from '@chainloop-ts/core';
import { type ControlPlaneConfig, DEFAULT_DATA_DIR, DEFAULT_LISTEN, defaultConfig } from './config';
import { type RunningControlPlane, startControlPlane } from './server';
import { parseDuration, parseListen, parseSize } from './units';

/** The flags of `control-plane start`, as strings, so the CLI and the control plane's own bin share one meaning. */
export interface StartOptions {
  listen?: string;
  dataDir?: string;
  databaseUrl?: string;
  maxBlobSize?: string;
  maxBodySize?: string;
  runExpiry?: string;
  /** Keyless signing CA certificate (PEM, issuing CA first) and its unencrypted key; both or neither. */
  caCert?: string;
  caKey?: string;
  /** Lifetime of keyless signing certificates, e.g. 10m. */
  signingCertValidity?: string;
  /** Do not log one line per request. */
  quiet?: boolean;
}

export const START_OPTION_HELP = {
  listen: `address to listen on, host:port (default ${DEFAULT_LISTEN}; port 0 picks a free one)`,
  dataDir: `directory for the database, the CAS and the admin token (default ./${DEFAULT_DATA_DIR})`,
  databaseUrl: 'PostgreSQL URL (env CHAINLOOP_CP_DATABASE_URL); default: SQLite in the data directory',
  maxBlobSize: 'largest CAS blob accepted, e.g. 512MiB (default 10GiB)',
  maxBodySize: 'largest JSON request body accepted, e.g. 32MiB (default 32MiB)',
  runExpiry: 'runs still initialized after this long are marked expired (default 24h)',
  caCert: 'keyless signing CA certificate PEM (with --ca-key); default: a CA created in DIR/signing-ca',
  caKey: 'unencrypted private key PEM of --ca-cert (keep it mode 0600)',
  signingCertValidity: 'lifetime of keyless signing certificates, 1m to 24h (default 10m)',
} as const;

export function configFromOptions(options: StartOptions, env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  const { host, port } = parseListen(options.listen ?? DEFAULT_LISTEN);
  const defaults = defaultConfig();
  return defaultConfig({
    host,
    port,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    databaseUrl: options.databaseUrl ?? (env.CHAINLOOP_CP_DATABASE_URL || undefined),
    adminToken: env.CHAINLOOP_CP_ADMIN_TOKEN || undefined,
    maxBlobBytes: options.maxBlobSize ? parseSize('--max-blob-size', options.maxBlobSize) : defaults.maxBlobBytes,
    maxJsonBodyBytes: options.maxBodySize
      ? parseSize('--max-body-size', options.maxBodySize)
      : defaults.maxJsonBodyBytes,
    runExpiryMs: options.runExpiry ? parseDuration('--run-expiry', options.runExpiry) : defaults.runExpiryMs,
    caCertPath: options.caCert ? resolve(options.caCert) : undefined,
    caKeyPath: options.caKey ? resolve(options.caKey) : undefined,
    signingCertificateMinutes: options.signingCertValidity
      ? signingCertificateMinutes(options.signingCertValidity)
      : defaults.signingCertificateMinutes,
    log: options.quiet ? undefined : (line) => process.stderr.write(`INF ${line}\n`),
  });
}

/**
 * `control-plane start`: starts, prints where it listens and where the admin token is (never the token), and
 * stops cleanly on SIGTERM/SIGINT. Resolves once the server has stopped.
 */
export async function serve(options: StartOptions): Promise<void> {
  const config = configFromOptions(options);
  const running = await startControlPlane(config);
  announce(running, config);
  await new Promise<void>((resolveStopped) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`INF ${signal} received, stopping the control plane\n`);
      running.close().then(resolveStopped, (error) => {
        process.stderr.write(`ERR stopping the control plane: ${error instanceof Error ? error.message : error}\n`);
        resolveStopped();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  process.stderr.write('INF control plane stopped\n');
}

function announce(running: RunningControlPlane, config: ControlPlaneConfig): void {
  const { adminToken } = running;
  if (adminToken.origin === 'environment') {
    process.stderr.write('INF admin token: taken from CHAINLOOP_CP_ADMIN_TOKEN\n');
  } else {
    const verb = adminToken.generated ? 'generated into' : 'read from';
    process.stderr.write(
      `INF admin token: ${verb} ${adminToken.path} (export CHAINLOOP_TOKEN=$(cat ${adminToken.path}))\n`,
    );
  }
  process.stderr.write(`INF data directory: ${config.dataDir}\n`);
  process.stderr.write(`INF storage: ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}\n`);
  const ca = running.signingCa.origin;
  const caVerb = ca.kind === 'generated' ? 'generated into' : 'read from';
  process.stderr.write(`INF keyless signing CA: ${caVerb} ${ca.certPath} (key ${ca.keyPath})\n`);
  process.stderr.write(`INF control plane listening on ${running.url}\n`);
}

/** `--signing-cert-validity`: whole minutes from 1 to 24 h, what certificate issuance accepts. */
function signingCertificateMinutes(value: string): number {
  const minutes = parseDuration('--signing-cert-validity', value) / 60_000;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
    throw new UsageError(
      'SIGNING_CERT_VALIDITY_INVALID',
      `--signing-cert-validity "${value}" must be whole minutes from 1m to 24h, e.g. 10m`,
    );
  }
  return minutes;
}
