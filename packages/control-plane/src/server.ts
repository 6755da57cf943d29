import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { CHAINLOOP_TS_VERSION, ChainloopError } from '@chainloop-ts/core';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AttestationVerifier } from './attestation-verifier';
import { type AdminTokenSource, bootstrapAdminToken } from './auth/admin-token';
import type { Access, Principal } from './auth/principal';
import { UiSessions } from './auth/ui-sessions';
import type { CasBackend } from './cas/backend';
import { FilesystemCasBackend } from './cas/filesystem-backend';
import { OciCasBackend } from './cas/oci-backend';
import type { ControlPlaneConfig } from './config';
import { prepareDataDirectory } from './data-directory';
import { agreeWithOtherControlPlanes } from './deployment-agreement';
import { CliBundleSource, defaultCliBundleCandidates } from './downloads/cli-bundle';
import { defaultUiAssetCandidates, UiAssetSource } from './downloads/ui-assets';
import { authenticateRequests, requireAccessRules } from './http/access-control';
import type { ServerContext } from './http/context';
import { answerErrors, clientErrorHandler, frameworkErrors } from './http/error-handling';
import { limitRequestRates } from './http/rate-limits';
import { closeStalledBodies } from './http/timeouts';
import { type AttestationInspector, WorkerPoolInspector } from './intake/inspection-pool';
import { ControlPlaneMetrics } from './metrics';
import { listenFailed, reservePort } from './port-reservation';
import { blobTooLargeMessage, registerCasRoutes } from './routes/cas';
import { registerCraftingRoutes } from './routes/crafting';
import { registerDownloadRoutes } from './routes/downloads';
import { registerOperationsRoutes } from './routes/operations';
import { registerPolicyRoutes } from './routes/policies';
import { registerRunDetailRoutes } from './routes/run-detail';
import { registerRunRoutes } from './routes/runs';
import { registerSettingsRoutes } from './routes/settings';
import { registerSigningRoutes } from './routes/signing';
import { registerUiRoutes } from './routes/ui';
import { registerWorkflowKeyRoutes } from './routes/workflow-keys';
import { registerWorkflowRoutes } from './routes/workflows';
import { RunExpirySweeper } from './run-expiry';
import { SignatureVerifier } from './signing/signature-verifier';
import { loadSigningCa, type SigningCa } from './signing/signing-ca';
import { KyselyRepository } from './storage/kysely-repository';
import type { Repository } from './storage/repository';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The web UI's session cookie is accepted in place of the admin token (GET routes the UI reads, the session). */
    uiSession?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
    /** Set when the request was authenticated by the web UI's session cookie. */
    uiSessionId?: string;
  }
}

export interface RunningControlPlane {
  /** e.g. http://127.0.0.1:41234 (the bound port when 0 was asked for); https:// with --tls-cert. */
  url: string;
  adminToken: AdminTokenSource;
  /** The keyless signing CA this process issues from (never its key in logs). */
  signingCa: SigningCa;
  /** Where the CAS is, for the start log: `filesystem <dir>` or `OCI registry <host>/<repository> (credentials …)`. */
  casDescription: string;
  app: FastifyInstance;
  /** Every registered route as `METHOD /path/:param`, for checking the OpenAPI document. */
  routes: string[];
  close(): Promise<void>;
}

export interface ControlPlaneDependencies {
  repository?: Repository;
  cas?: CasBackend;
  verifier?: AttestationVerifier;
  inspector?: AttestationInspector;
}

/**
 * Checks what it can without writing (TLS, the configured admin token, a given CA, the database), binds the listen
 * address, and only then prepares `config.dataDir` and its stores: a start that fails creates nothing. Then builds
 * the HTTP server and listens on the address it held.
 */
export async function startControlPlane(
  config: ControlPlaneConfig,
  dependencies: ControlPlaneDependencies = {},
): Promise<RunningControlPlane> {
  checkTls(config.tls);
  const configuredAdminToken =
    config.adminToken === undefined ? undefined : bootstrapAdminToken(config.dataDir, config.adminToken, config.log);
  const givenCa =
    config.caCertPath || config.caKeyPath
      ? await loadSigningCa(config.dataDir, { certPath: config.caCertPath, keyPath: config.caKeyPath })
      : undefined;
  const reservation = await reservePort(config.host, config.port);
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const postgres = dependencies.repository
      ? undefined
      : config.databaseUrl
        ? await KyselyRepository.connectPostgres(config.databaseUrl)
        : undefined;
    if (postgres) opened.push(postgres);
    // The registry is checked (reachable, credentials accepted) before anything is written locally.
    const oci = !dependencies.cas && config.cas ? new OciCasBackend(config.cas) : undefined;
    await oci?.init();
    let casDescription = 'given by the caller';
    if (oci) {
      const { source } = await oci.client.credentials();
      casDescription = `OCI registry ${oci.client.name}${config.cas?.insecure ? ' over plain HTTP' : ''} (credentials: ${source})`;
    }
    await prepareDataDirectory(config.dataDir, config.log);
    const adminToken = configuredAdminToken ?? bootstrapAdminToken(config.dataDir, undefined, config.log);
    const signingCa = givenCa ?? (await loadSigningCa(config.dataDir));
    let repository = dependencies.repository ?? postgres;
    if (!repository) {
      repository = await KyselyRepository.openSqlite(join(config.dataDir, 'control-plane.db'));
      opened.push(repository);
    }
    // Only a shared database has other control planes with data dirs of their own (SQLite lives in the data dir).
    if (postgres) await agreeWithOtherControlPlanes(postgres, { adminToken, signingCa }, config.log);
    let cas = dependencies.cas ?? oci;
    if (!cas) {
      const filesystem = new FilesystemCasBackend(join(config.dataDir, 'cas'));
      await filesystem.init();
      cas = filesystem;
      casDescription = `filesystem ${join(config.dataDir, 'cas')}`;
    }
    let inspector = dependencies.inspector;
    if (!inspector) {
      inspector = new WorkerPoolInspector({ threads: 2, maxHeapMb: 1024 });
      opened.push(inspector);
    }
    const context: ServerContext = {
      config,
      repository,
      cas,
      metrics: new ControlPlaneMetrics(config.log),
      verifier: dependencies.verifier ?? new SignatureVerifier(repository, signingCa),
      inspector,
      signingCa,
      adminTokenHash: adminToken.tokenHash,
      cliBundle: new CliBundleSource(config.cliBundlePath ? [config.cliBundlePath] : defaultCliBundleCandidates()),
      uiSessions: new UiSessions(repository, { adminTokenHash: adminToken.tokenHash }),
      uiAssets: new UiAssetSource(defaultUiAssetCandidates()),
    };
    const { app, routes } = await buildApp(context);
    opened.push(app);
    await reservation.release();
    try {
      await app.listen({ host: config.host, port: reservation.port });
    } catch (error) {
      throw listenFailed(config.host, reservation.port, error);
    }
    return listening(app, routes, context, adminToken, casDescription);
  } catch (error) {
    await reservation.release();
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}

/** The running server, once it listens: the expiry sweeper started, the insecure-listen warning given. */
function listening(
  app: FastifyInstance,
  routes: string[],
  context: ServerContext,
  adminToken: AdminTokenSource,
  casDescription: string,
): RunningControlPlane {
  const { config, repository, inspector, signingCa } = context;
  const sweeper = new RunExpirySweeper(repository, config.runExpiryMs, config.log);
  sweeper.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (!config.tls && !isLoopback(config.host)) {
    config.log?.write(
      'WRN',
      `listening on ${config.host} without TLS: tokens and attestations cross the network in clear text; pass --tls-cert and --tls-key, or put a TLS-terminating proxy in front`,
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    adminToken,
    signingCa,
    casDescription,
    app,
    routes,
    close: () => {
      closing ??= (async () => {
        sweeper.stop();
        await app.close();
        await repository.close();
        await inspector.close();
      })();
      return closing;
    },
  };
}

export async function buildApp(context: ServerContext): Promise<{ app: FastifyInstance; routes: string[] }> {
  const { config, metrics } = context;
  const nodeServerOptions = {
    headersTimeout: config.headersTimeoutMs,
    // How often Node checks for the headers timeout (its default, 30 s, would let a stalled client wait twice as long).
    connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
  };
  let app: FastifyInstance;
  try {
    app = Fastify({
      logger: false,
      bodyLimit: config.maxJsonBodyBytes,
      exposeHeadRoutes: false,
      routerOptions: { ignoreTrailingSlash: true },
      keepAliveTimeout: config.keepAliveTimeoutMs,
      clientErrorHandler,
      frameworkErrors,
      ...(config.tls
        ? { https: { cert: config.tls.certPem, key: config.tls.keyPem, ...nodeServerOptions } }
        : { http: nodeServerOptions }),
    });
  } catch (error) {
    if (!config.tls) throw error;
    throw tlsInvalid(error);
  }
  refuseOversizeUploadsBeforeTheBody(app, config);
  requireAccessRules(app);
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push(`${method} ${route.url}`);
  });
  // Declared up front so every request object has the same shape; set by the onRequest hook.
  app.decorateRequest('principal', null as unknown as { kind: 'admin' });

  await app.register(swagger, {
    exposeHeadRoutes: true,
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Chainloop TS control plane',
        version: CHAINLOOP_TS_VERSION,
        description:
          'Workflows, contracts, policies, robot accounts, runs, attestations, remote crafting state, keyless signing and the CAS. ' +
          'Send `Authorization: Bearer <token>`: an admin token, or a robot account token for crafting.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  authenticateRequests(app, context);
  closeStalledBodies(app, config.bodyTimeoutMs, config.log);
  await limitRequestRates(app, config.rateLimit);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ method: request.method, route, status });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Paths and statuses only: tokens travel in headers, which are never logged.
    const path = request.url.split('?')[0];
    if (config.logRequests) {
      config.log?.write('INF', `${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
    }
  });
  answerErrors(app, config.log);

  registerOperationsRoutes(app, context);
  registerWorkflowRoutes(app, context);
  registerWorkflowKeyRoutes(app, context);
  registerPolicyRoutes(app, context);
  registerSettingsRoutes(app, context);
  registerCraftingRoutes(app, context);
  registerRunRoutes(app, context);
  registerRunDetailRoutes(app, context);
  registerSigningRoutes(app, context);
  registerCasRoutes(app, context);
  registerDownloadRoutes(app, context);
  registerUiRoutes(app, context);
  await app.ready();
  return { app, routes };
}

function tlsInvalid(error: unknown): ChainloopError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ChainloopError(
    'TLS_INVALID',
    `--tls-cert/--tls-key cannot be used (${reason}): pass a PEM certificate chain and the PEM private key that belongs to it`,
  );
}

/** A certificate and key that do not make a TLS context are refused before anything is bound or written. */
function checkTls(tls: ControlPlaneConfig['tls']): void {
  if (!tls) return;
  try {
    createSecureContext({ cert: tls.certPem, key: tls.keyPem });
  } catch (error) {
    throw tlsInvalid(error);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `Expect: 100-continue` uploads the CAS cannot take are refused before the client sends the body. Answering 413 in
 * the middle of the body forces the connection closed with unread bytes, and the reset that follows can destroy the
 * answer before the client reads it; the client would see "connection reset" instead of "blob too large".
 */
function refuseOversizeUploadsBeforeTheBody(app: FastifyInstance, config: ControlPlaneConfig): void {
  app.server.on('checkContinue', (request, response) => {
    const declared = Number(request.headers['content-length']);
    const url = request.url ?? '';
    if (url.startsWith('/v1/cas/') && Number.isFinite(declared) && declared > config.maxBlobBytes) {
      const body = JSON.stringify({ code: 'BLOB_TOO_LARGE', message: blobTooLargeMessage(config.maxBlobBytes) });
      response.writeHead(413, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      response.end(body);
      if (config.logRequests) config.log?.write('INF', `${request.method} ${url.split('?')[0]} 413 0.0ms`);
      return;
    }
    response.writeContinue();
    app.server.emit('request', request, response);
  });
}
