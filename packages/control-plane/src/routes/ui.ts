import type { FastifyInstance, FastifyReply } from 'fastify';
import { hashToken, sameHash } from '../auth/tokens';
import { UI_SESSION_COOKIE, UI_SESSION_TTL_MS } from '../auth/ui-sessions';
import { ApiError, notFound } from '../http/api-error';
import type { ServerContext } from '../http/context';
import { withErrors } from '../http/schemas';

/**
 * No inline script or style, nothing from another origin, no framing: the UI's one script and one stylesheet come
 * from /ui/ and it talks only to this API.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

const fileSchema = { description: 'the file', content: { 'text/plain': { schema: { type: 'string' } } } };

/** The web UI: its static files at / and /ui/, and the sign-in that turns the admin token into a session cookie. */
export function registerUiRoutes(app: FastifyInstance, context: ServerContext): void {
  const { uiAssets, uiSessions, config } = context;

  const serve = async (name: string, reply: FastifyReply) => {
    const asset = await uiAssets.get(name);
    if (!asset) throw notFound('UI_FILE_NOT_FOUND', `the web UI has no file ${name}: open / for the UI`);
    return securityHeaders(reply)
      .header('content-type', asset.contentType)
      .header('cache-control', 'no-cache')
      .send(asset.bytes);
  };

  app.get(
    '/',
    {
      config: { access: 'public' },
      schema: { summary: 'The web UI (sign in with the admin token)', tags: ['ui'], response: { 200: fileSchema } },
    },
    async (_request, reply) => serve('index.html', reply),
  );

  app.get<{ Params: { file: string } }>(
    '/ui/:file',
    {
      config: { access: 'public' },
      schema: {
        summary: "The web UI's static files (script, stylesheet)",
        tags: ['ui'],
        params: { type: 'object', required: ['file'], properties: { file: { type: 'string' } } },
        response: { 200: fileSchema },
      },
    },
    async (request, reply) => serve(request.params.file, reply),
  );

  const cookie = (value: string, maxAgeSeconds: number) =>
    [
      `${UI_SESSION_COOKIE}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${maxAgeSeconds}`,
      ...(config.tls ? ['Secure'] : []),
    ].join('; ');

  app.post<{ Body: { token: string } }>(
    '/v1/ui/session',
    {
      config: { access: 'public' },
      schema: {
        summary:
          'Sign in to the web UI: exchanges the admin token for a session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token state-changing requests send as X-CSRF-Token',
        tags: ['ui'],
        security: [],
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 1000 } },
        },
        response: withErrors({
          201: {
            type: 'object',
            required: ['csrfToken', 'expiresAt'],
            properties: { csrfToken: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
          },
        }),
      },
    },
    async (request, reply) => {
      if (!sameHash(hashToken(request.body.token), context.adminTokenHash)) {
        throw new ApiError(
          401,
          'UNAUTHENTICATED',
          'the admin token is not valid for this control plane: paste the token the control plane printed at its first start (or CHAINLOOP_CP_ADMIN_TOKEN)',
        );
      }
      const { id, session } = await uiSessions.create();
      return securityHeaders(reply)
        .code(201)
        .header('set-cookie', cookie(id, Math.floor(UI_SESSION_TTL_MS / 1000)))
        .header('cache-control', 'no-store')
        .send({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
    },
  );

  app.delete(
    '/v1/ui/session',
    {
      config: { access: 'admin', uiSession: true },
      schema: {
        summary: 'Sign out of the web UI: ends the session and clears its cookie (send X-CSRF-Token)',
        tags: ['ui'],
        response: withErrors({ 204: { description: 'signed out', type: 'null' } }),
      },
    },
    async (request, reply) => {
      if (request.uiSessionId) await uiSessions.end(request.uiSessionId);
      return securityHeaders(reply).code(204).header('set-cookie', cookie('', 0)).send();
    },
  );
}
