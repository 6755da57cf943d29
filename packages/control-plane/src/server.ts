import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHAINLOOP_TS_VERSION, ChainloopError } from '@chainloop-ts/core';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AttestationVerifier } from './attestation-verifier';
import { type AdminTokenSource, bootstrapAdminToken } from './auth/admin-token';
import { type Access, checkAccess, type Principal, resolvePrincipal } from './auth/principal';
import type { CasBackend } from './cas/backend';
import { FilesystemCasBackend } from './cas/filesystem-backend';
import type { ControlPlaneConfig } from './config';
import { ApiError, statusForCode } from './http/api-error';
import type { ServerContext } from './http/context';
import { ControlPlaneMetrics } from './metrics';
import { blobTooLargeMessage, registerCasRoutes } from './routes/cas';
import { registerCraftingRoutes } from './routes/crafting';
import { registerOperationsRoutes } from './routes/operations';
import { registerRunRoutes } from './routes/runs';
import { registerSigningRoutes } from './routes/signing';
import { registerWorkflowKeyRoutes } from './routes/workflow-keys';
import { registerWorkflowRoutes } from './routes/workflows';
import { RunExpirySweeper } from './run-expiry';
import { SignatureVerifier } from './signing/signature-verifier';
import { loadSigningCa, type SigningCa } from './signing/signing-ca';
import { PostgresRepository } from './storage/postgres-repository';
import type { Repository } from './storage/repository';
import { SqliteRepository } from './storage/sqlite-repository';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface RunningControlPlane {
  /** e.g. http://127.0.0.1:41234 (the bound port when 0 was asked for). */
  url: string;
  adminToken: AdminTokenSource;
  /** The keyless signing CA this process issues from (never its key in logs). */
  signingCa: SigningCa;
  app: FastifyInstance;
  /** Every registered route as `METHOD /path/:param`, for checking the OpenAPI document. */
  routes: string[];
  close(): Promise<void>;
}

export interface ControlPlaneDependencies {
  repository?: Repository;
  cas?: CasBackend;
  verifier?: AttestationVerifier;
}

/** Opens the stores under `config.dataDir`, builds the HTTP server and starts listening. */
export async function startControlPlane(
  config: ControlPlaneConfig,
  dependencies: ControlPlaneDependencies = {},
): Promise<RunningControlPlane> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const adminToken = bootstrapAdminToken(config.dataDir, config.adminToken);
  const signingCa = await loadSigningCa(config.dataDir, { certPath: config.caCertPath, keyPath: config.caKeyPath });
  const repository =
    dependencies.repository ??
    (config.databaseUrl
      ? await PostgresRepository.connect(config.databaseUrl)
      : new SqliteRepository(join(config.dataDir, 'control-plane.db')));
  let cas = dependencies.cas;
  if (!cas) {
    const filesystem = new FilesystemCasBackend(join(config.dataDir, 'cas'));
    await filesystem.init();
    cas = filesystem;
  }
  const context: ServerContext = {
    config,
    repository,
    cas,
    metrics: new ControlPlaneMetrics(),
    verifier: dependencies.verifier ?? new SignatureVerifier(repository, signingCa),
    signingCa,
    adminTokenHash: adminToken.tokenHash,
  };
  const { app, routes } = await buildApp(context);
  const sweeper = new RunExpirySweeper(repository, config.runExpiryMs);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await repository.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChainloopError(
      'LISTEN_FAILED',
      `cannot listen on ${config.host}:${config.port}: ${reason}: pick another address with --listen`,
    );
  }
  sweeper.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    adminToken,
    signingCa,
    app,
    routes,
    close: () => {
      closing ??= (async () => {
        sweeper.stop();
        await app.close();
        await repository.close();
      })();
      return closing;
    },
  };
}

export async function buildApp(context: ServerContext): Promise<{ app: FastifyInstance; routes: string[] }> {
  const { config, metrics } = context;
  const app = Fastify({
    logger: false,
    bodyLimit: config.maxJsonBodyBytes,
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  refuseOversizeUploadsBeforeTheBody(app, config);
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
          'Workflows, contracts, robot accounts, runs, attestations, remote crafting state, keyless signing and the CAS. ' +
          'Send `Authorization: Bearer <token>`: an admin token, or a robot account token for crafting.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    request.principal = await resolvePrincipal(
      request.headers.authorization,
      context.adminTokenHash,
      context.repository,
    );
    checkAccess(request.principal, access);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ method: request.method, route, status });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Paths and statuses only: tokens travel in headers, which are never logged.
    const path = request.url.split('?')[0];
    config.log?.(`${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message } = describeError(error);
    if (status >= 500)
      config.log?.(`ERR ${request.method} ${request.url.split('?')[0]}: ${error.stack ?? error.message}`);
    // An upload refused before its end leaves unread bytes on the socket: close it so the client cannot reuse it.
    if (!request.raw.complete) reply.header('connection', 'close');
    if (!reply.sent) reply.code(status).send({ code, message });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      code: 'ROUTE_NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}: see /v1/openapi.json for the API`,
    });
  });

  registerOperationsRoutes(app, context);
  registerWorkflowRoutes(app, context);
  registerWorkflowKeyRoutes(app, context);
  registerCraftingRoutes(app, context);
  registerRunRoutes(app, context);
  registerSigningRoutes(app, context);
  registerCasRoutes(app, context);
  await app.ready();
  return { app, routes };
}

/** Maps any error to the one error shape `{code, message}` and an HTTP status. */
function describeError(error: FastifyError): { status: number; code: string; message: string } {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof ChainloopError) {
    return { status: statusForCode(error.code) ?? 400, code: error.code, message: error.message };
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return { status: 400, code: 'INVALID_REQUEST', message: `invalid ${where}: ${error.message}` };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'BODY_TOO_LARGE',
        message: 'request body is larger than the control plane accepts: send a smaller document',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON with Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_JSON', message: `request body is not valid JSON: ${error.message}` };
  }
  if (error instanceof SyntaxError) {
    return { status: 400, code: 'INVALID_JSON', message: `request body is not valid JSON: ${error.message}` };
  }
  const status = error.statusCode ?? 500;
  if (status < 500) return { status, code: error.code ?? 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL', message: 'internal error in the control plane: see its log' };
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
      config.log?.(`${request.method} ${url.split('?')[0]} 413 0.0ms`);
      return;
    }
    response.writeContinue();
    app.server.emit('request', request, response);
  });
}
