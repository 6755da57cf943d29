import type { FastifyInstance } from 'fastify';
import { type Access, checkAccess, resolvePrincipal } from '../auth/principal';
import type { ServerContext } from './context';

const ACCESS_RULES: ReadonlySet<string> = new Set<Access>(['public', 'admin', 'robot', 'any']);

/**
 * Routes fail closed: every route must declare who may call it (`config.access`), and one that does not is refused
 * when it is registered, so the server never starts with an endpoint that forgot its rule. Public routes say so.
 */
export function requireAccessRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (typeof access !== 'string' || !ACCESS_RULES.has(access)) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `route ${methods} ${route.url} declares no access rule (config.access: public, admin, robot or any): every route must say who may call it`,
      );
    }
  });
}

/** Resolves the caller from the bearer token and checks it against the route's rule, before anything else runs. */
export function authenticateRequests(app: FastifyInstance, context: ServerContext): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Unmatched requests (the not-found handler) have no rule and answer 404 without looking at the token.
    if (access === undefined || access === 'public') return;
    request.principal = await resolvePrincipal(
      request.headers.authorization,
      context.adminTokenHash,
      context.repository,
    );
    checkAccess(request.principal, access);
  });
}
