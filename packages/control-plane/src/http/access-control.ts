import type { FastifyInstance } from 'fastify';
import { type Access, checkAccess, resolvePrincipal } from '../auth/principal';
import { sameCsrfToken } from '../auth/ui-sessions';
import { ApiError } from './api-error';
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

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller and checks it against the route's rule, before anything else runs. The caller is the bearer
 * token of the Authorization header; without one, the web UI's session cookie stands for the admin on the routes
 * that accept it (`config.uiSession`). Any state-changing request that carries a live session cookie and no bearer
 * token must send the session's CSRF token in X-CSRF-Token, whether or not the route accepts the session: a page
 * of another site can make the browser send the cookie, but cannot read the token.
 */
export function authenticateRequests(app: FastifyInstance, context: ServerContext): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Unmatched requests (the not-found handler) have no rule and answer 404 without looking at the token.
    if (access === undefined || access === 'public') return;
    const session =
      request.headers.authorization === undefined
        ? await context.uiSessions.fromCookie(request.headers.cookie)
        : undefined;
    if (session && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || sent === '') {
        throw new ApiError(
          403,
          'CSRF_TOKEN_MISSING',
          'this request carries the UI session cookie but no X-CSRF-Token header: send the csrfToken the sign-in (POST /v1/ui/session) returned',
        );
      }
      if (!sameCsrfToken(sent, session.session.csrfToken)) {
        throw new ApiError(
          403,
          'CSRF_TOKEN_INVALID',
          "the X-CSRF-Token header does not match this UI session's token: sign in again to get a new one",
        );
      }
    }
    if (session && request.routeOptions.config.uiSession) {
      request.principal = { kind: 'admin' };
      request.uiSessionId = session.id;
      checkAccess(request.principal, access);
      return;
    }
    request.principal = await resolvePrincipal(
      request.headers.authorization,
      context.adminTokenHash,
      context.repository,
    );
    checkAccess(request.principal, access);
  });
}
