import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import { parseCasFlags } from './cas/oci-location';
import { type ControlPlaneConfig, DEFAULT_DATA_DIR, DEFAULT_LISTEN, defaultConfig } from './config';
import { type LogSink, StreamLogSink } from './log-sink';
import { type RunningControlPlane, startControlPlane } from './server';
import type { StartOptions } from './start-options';
import { parseDuration, parseListen, parseSize } from './units';

export type { StartOptions } from './start-options';

export function configFromOptions(
  options: StartOptions,
  env: NodeJS.ProcessEnv = process.env,
  log: LogSink = new StreamLogSink(),
): ControlPlaneConfig {
  const { host, port } = parseListen(options.listen ?? DEFAULT_LISTEN);
  const defaults = defaultConfig();
  const duration = (flag: string, value: string | undefined, fallback: number) =>
    value === undefined ? fallback : parseDuration(flag, value);
  return defaultConfig({
    host,
    port,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    databaseUrl: options.databaseUrl ?? (env.CHAINLOOP_CP_DATABASE_URL || undefined),
    cas: parseCasFlags(options, env),
    adminToken: env.CHAINLOOP_CP_ADMIN_TOKEN || undefined,
    maxBlobBytes: options.maxBlobSize ? parseSize('--max-blob-size', options.maxBlobSize) : defaults.maxBlobBytes,
    maxJsonBodyBytes: options.maxBodySize
      ? parseSize('--max-body-size', options.maxBodySize)
      : defaults.maxJsonBodyBytes,
    maxMaterials:
      options.maxMaterials === undefined
        ? defaults.maxMaterials
        : positiveCount('--max-materials', options.maxMaterials),
    runExpiryMs: duration('--run-expiry', options.runExpiry, defaults.runExpiryMs),
    caCertPath: options.caCert ? resolve(options.caCert) : undefined,
    caKeyPath: options.caKey ? resolve(options.caKey) : undefined,
    signingCertificateMinutes: options.signingCertValidity
      ? signingCertificateMinutes(options.signingCertValidity)
      : defaults.signingCertificateMinutes,
    bodyTimeoutMs: duration('--body-timeout', options.bodyTimeout, defaults.bodyTimeoutMs),
    headersTimeoutMs: duration('--headers-timeout', options.headersTimeout, defaults.headersTimeoutMs),
    keepAliveTimeoutMs: duration('--keep-alive-timeout', options.keepAliveTimeout, defaults.keepAliveTimeoutMs),
    rateLimit: options.rateLimit === undefined ? defaults.rateLimit : parseRateLimit(options.rateLimit),
    tls: readTls(options),
    metricsPublic: options.metricsPublic === true,
    log,
    logRequests: options.quiet !== true,
    cliBundlePath: options.cliBundle ? resolve(options.cliBundle) : undefined,
  });
}

/** How `serve` reports that it listens: log lines on stderr only, or also one JSON object on stdout (`-o json`). */
export interface ServeOutput {
  format?: 'table' | 'json';
}

/**
 * `control-plane start`: starts, prints where it listens and where the admin token is (never the token), and
 * stops cleanly on SIGTERM/SIGINT. Resolves once the server has stopped. With `-o json` the listening line is also
 * written to stdout as one JSON object, for scripts that start it and read where it is.
 */
export async function serve(options: StartOptions, output: ServeOutput = {}): Promise<void> {
  const log = new StreamLogSink();
  const config = configFromOptions(options, process.env, log);
  const running = await startControlPlane(config);
  // The handlers are in place before anything says the server listens: whoever reads that line may stop it at once,
  // and a SIGTERM before them would kill the process instead of stopping it cleanly.
  const stopped = new Promise<void>((resolveStopped) => {
    const stop = (signal: NodeJS.Signals) => {
      log.write('INF', `${signal} received, stopping the control plane`);
      running.close().then(resolveStopped, (error) => {
        log.write('ERR', `stopping the control plane: ${error instanceof Error ? error.message : error}`);
        resolveStopped();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  announce(running, config, log);
  if (output.format === 'json') process.stdout.write(`${JSON.stringify(listeningJson(running, config))}\n`);
  await stopped;
  log.write('INF', 'control plane stopped');
}

function announce(running: RunningControlPlane, config: ControlPlaneConfig, log: LogSink): void {
  const { adminToken } = running;
  if (adminToken.origin === 'environment') {
    log.write('INF', 'admin token: taken from CHAINLOOP_CP_ADMIN_TOKEN');
  } else {
    const verb = adminToken.generated ? 'generated into' : 'read from';
    log.write('INF', `admin token: ${verb} ${adminToken.path} (export CHAINLOOP_TOKEN=$(cat ${adminToken.path}))`);
  }
  log.write('INF', `data directory: ${config.dataDir}`);
  log.write('INF', `storage: ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}`);
  log.write('INF', `CAS: ${running.casDescription}`);
  const ca = running.signingCa.origin;
  const caVerb = ca.kind === 'generated' ? 'generated into' : 'read from';
  log.write('INF', `keyless signing CA: ${caVerb} ${ca.certPath} (key ${ca.keyPath})`);
  log.write('INF', `control plane listening on ${running.url}`);
}

/** The `-o json` listening line: where it listens and where its secrets are, never the admin token itself. */
export function listeningJson(running: RunningControlPlane, config: ControlPlaneConfig) {
  const { adminToken, signingCa } = running;
  return {
    url: running.url,
    dataDir: config.dataDir,
    storage: config.databaseUrl ? 'postgresql' : 'sqlite',
    adminToken:
      adminToken.origin === 'environment'
        ? { origin: 'environment', variable: 'CHAINLOOP_CP_ADMIN_TOKEN' }
        : { origin: 'file', path: adminToken.path, generated: adminToken.generated },
    signingCa: {
      origin: signingCa.origin.kind,
      certPath: signingCa.origin.certPath,
      keyPath: signingCa.origin.keyPath,
    },
  };
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

function positiveCount(flag: string, value: string): number {
  const count = /^\d{1,9}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(count >= 1)) throw new UsageError('INVALID_COUNT', `${flag} "${value}" is not a whole number of 1 or more`);
  return count;
}

/** `--rate-limit 6000/1m`: that many requests per window and token; `0` turns limiting off. */
function parseRateLimit(value: string): ControlPlaneConfig['rateLimit'] {
  if (value.trim() === '0') return undefined;
  const [count, window, ...rest] = value.split('/');
  if (window === undefined || rest.length > 0) {
    throw new UsageError(
      'INVALID_RATE_LIMIT',
      `--rate-limit "${value}" is not count/duration: use e.g. 6000/1m, or 0 to turn rate limiting off`,
    );
  }
  return { max: positiveCount('--rate-limit', count), windowMs: parseDuration('--rate-limit', window) };
}

/** `--tls-cert`/`--tls-key`: both or neither, each a readable PEM file (checked when the server starts). */
function readTls(options: StartOptions): ControlPlaneConfig['tls'] {
  if (!options.tlsCert && !options.tlsKey) return undefined;
  if (!options.tlsCert || !options.tlsKey) {
    throw new UsageError(
      'TLS_CONFIG_INCOMPLETE',
      `${options.tlsCert ? '--tls-key' : '--tls-cert'} is missing: pass both --tls-cert FILE and --tls-key FILE, or neither for plain HTTP`,
    );
  }
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(resolve(path), 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ChainloopError(
        'TLS_FILE_UNREADABLE',
        `${flag} ${path} cannot be read (${reason}): check the path and its permissions`,
      );
    }
  };
  return { certPem: read('--tls-cert', options.tlsCert), keyPem: read('--tls-key', options.tlsKey) };
}
