import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';

/**
 * Per-token rate limits (@fastify/rate-limit, in memory, per process): the admin token and each robot account have a
 * budget of `max` requests per window; past it, 429 RATE_LIMITED with Retry-After (seconds), which the CLI waits for.
 * Routes without a token (public ones) count per client address. Liveness and readiness probes are never limited.
 */
export async function limitRequestRates(
  app: FastifyInstance,
  limit: { max: number; windowMs: number } | undefined,
): Promise<void> {
  if (!limit) return;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    // Checked after authentication (the app's onRequest hook), so the key is the verified caller, not a guess.
    hook: 'onRequest',
    keyGenerator: (request: FastifyRequest) => {
      const principal = request.principal;
      if (principal?.kind === 'admin') return 'admin';
      if (principal?.kind === 'robot') return `robot:${principal.robotAccountId}`;
      return `address:${request.ip}`;
    },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
      'retry-after': true,
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'RATE_LIMITED',
        `too many requests with this token: the control plane allows ${context.max} per ${Math.round(limit.windowMs / 1000)}s; retry after ${context.after}, or raise --rate-limit on the control plane`,
      ),
  });
}
