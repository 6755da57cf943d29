import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/api-error';
import type { ServerContext } from '../http/context';
import { errorSchema } from '../http/schemas';

/** Probes and the API description (no token needed), and metrics (admin token, unless --metrics-public). */
export function registerOperationsRoutes(app: FastifyInstance, context: ServerContext): void {
  const status = { type: 'object', required: ['status'], properties: { status: { type: 'string' } } };
  const publicRoute = { access: 'public' as const };
  // Probes are never rate limited: an orchestrator polls them from one address.
  const probe = { access: 'public' as const, rateLimit: false as const };

  app.get(
    '/healthz',
    {
      config: probe,
      schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: status } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: probe,
      schema: {
        summary: 'Readiness: storage and CAS answer',
        tags: ['operations'],
        response: { 200: status, 503: errorSchema },
      },
    },
    async () => {
      // Each part named, so whoever reads the probe (a load balancer's log, an operator) knows which one to look at.
      const notReady = (part: string, error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        return new ApiError(503, 'NOT_READY', `${part} is not answering: ${reason}`);
      };
      await context.repository.ping().catch((error) => {
        throw notReady('the database', error);
      });
      await context.cas.stat(`sha256:${'0'.repeat(64)}`).catch((error) => {
        throw notReady('the CAS', error);
      });
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: context.config.metricsPublic ? 'public' : 'admin' },
      schema: {
        summary: 'Prometheus metrics (text exposition format); needs the admin token unless --metrics-public',
        tags: ['operations'],
        response: { 200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => {
      reply.header('content-type', context.metrics.registry.contentType);
      return context.metrics.registry.metrics();
    },
  );

  app.get(
    '/v1/openapi.json',
    {
      config: publicRoute,
      schema: {
        summary: 'This API as an OpenAPI 3 document',
        tags: ['operations'],
        response: { 200: { description: 'the OpenAPI document', type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
}
