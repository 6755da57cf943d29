import { ChainloopError } from '../errors';
import { connectionErrorCode, type HttpRequestOptions, type HttpResponse, httpRequest } from '../http/http-request';
import { ProxyError } from '../http/proxy';
import type { KeychainResult } from './keychain';

/** A parsed `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses the first challenge of a WWW-Authenticate header (registries send one). */
export function parseAuthChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const paramPattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  for (const param of match[2].matchAll(paramPattern)) {
    params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** The token endpoint's answer (docker token spec): `token` or the OAuth2 `access_token`, lifetime in seconds. */
interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
}

// Shared by every client in the process: one token per realm, service, scope and identity, kept for its lifetime.
const tokenCache = new Map<string, CachedToken>();
// The spec's default lifetime when the server does not say; renew a little early so a token never expires in flight.
const DEFAULT_TOKEN_LIFETIME_S = 60;
const EXPIRY_MARGIN_MS = 5_000;

/** Forgets every cached token (tests, or after a credential change). */
export function clearTokenCache(): void {
  tokenCache.clear();
}

export interface AuthorizeContext {
  /** Registry host, for messages. */
  registry: string;
  /** `repository:<name>:pull`. */
  scope: string;
  keychain: KeychainResult;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function authFailed(context: AuthorizeContext, status: number, where: string): ChainloopError {
  const { keychain, registry } = context;
  if (!keychain.credential) {
    return new ChainloopError(
      'REGISTRY_AUTH_REQUIRED',
      `registry ${registry} requires authentication (HTTP ${status} from ${where}) and none was found: ${keychain.source}; run docker login ${registry} or pass --registry-server/--registry-username/--registry-password`,
    );
  }
  return new ChainloopError(
    'REGISTRY_AUTH_FAILED',
    `registry ${registry} refused the ${keychain.credential.identityToken ? 'identity token' : `credentials of user "${keychain.credential.username}"`} from ${keychain.source} (HTTP ${status} from ${where}): correct them there, or pass --registry-server/--registry-username/--registry-password`,
  );
}

export { authFailed as registryAuthError };

const TOKEN_TIMEOUT_MS = 30_000;

/** Exchanges credentials (or nothing, for anonymous pulls) for a Bearer token at the challenge's realm. */
async function fetchBearerToken(challenge: AuthChallenge, context: AuthorizeContext): Promise<CachedToken> {
  const realm = challenge.params.realm;
  if (!realm) {
    throw new ChainloopError(
      'REGISTRY_AUTH_UNSUPPORTED',
      `registry ${context.registry} sent a Bearer challenge without a realm: the registry's auth configuration is broken`,
    );
  }
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', context.scope);
  const headers: Record<string, string> = { Accept: 'application/json' };
  const credential = context.keychain.credential;
  let init: HttpRequestOptions = { method: 'GET', headers, timeoutMs: TOKEN_TIMEOUT_MS };
  if (credential?.identityToken) {
    // An identity token is an OAuth2 refresh token: exchange it with a POST, as docker does.
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.identityToken,
      service: challenge.params.service ?? '',
      scope: context.scope,
      client_id: 'chainloop',
    });
    init = {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      timeoutMs: TOKEN_TIMEOUT_MS,
    };
  } else if (credential) {
    headers.Authorization = basicHeader(credential.username, credential.password);
  }
  let response: HttpResponse;
  let body: TokenResponse;
  try {
    response = await httpRequest(url, init);
    body = response.ok ? ((await response.json().catch(() => ({}))) as TokenResponse) : {};
  } catch (error) {
    if (error instanceof ProxyError) throw error;
    throw new ChainloopError(
      'REGISTRY_UNREACHABLE',
      `token server ${url.origin} for registry ${context.registry} is unreachable (${connectionErrorCode(error) ?? (error as Error).message}): check that it is running and reachable`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    response.discard();
    throw authFailed(context, response.status, `token server ${url.origin}`);
  }
  if (!response.ok) {
    response.discard();
    throw new ChainloopError(
      'REGISTRY_AUTH_FAILED',
      `token server ${url.origin} for registry ${context.registry} answered HTTP ${response.status}: try again later or check the registry's token service`,
    );
  }
  const token = body.token ?? body.access_token;
  if (!token) {
    throw new ChainloopError(
      'REGISTRY_AUTH_FAILED',
      `token server ${url.origin} for registry ${context.registry} returned no token: check the registry's token service`,
    );
  }
  const issuedAt = body.issued_at ? Date.parse(body.issued_at) : Number.NaN;
  const start = Number.isNaN(issuedAt) ? Date.now() : Math.min(issuedAt, Date.now());
  const lifetimeS = body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
  return { token, expiresAt: start + lifetimeS * 1000 - EXPIRY_MARGIN_MS };
}

/**
 * Answers a registry's WWW-Authenticate challenge with an Authorization header value: Basic with the keychain's
 * credential, or Bearer with a token from the realm (cached per realm/service/scope/identity for its lifetime).
 */
export async function authorizeChallenge(challenge: AuthChallenge, context: AuthorizeContext): Promise<string> {
  if (challenge.scheme === 'basic') {
    const credential = context.keychain.credential;
    if (!credential || credential.identityToken) throw authFailed(context, 401, `registry ${context.registry}`);
    return basicHeader(credential.username, credential.password);
  }
  if (challenge.scheme !== 'bearer') {
    throw new ChainloopError(
      'REGISTRY_AUTH_UNSUPPORTED',
      `registry ${context.registry} asks for "${challenge.scheme}" authentication, which is not supported: use a registry with Basic or Bearer token auth`,
    );
  }
  // The identity is part of the key so two users never share a token; the password itself is not kept.
  const cacheKey = [
    challenge.params.realm,
    challenge.params.service ?? '',
    context.scope,
    context.keychain.credential?.username ?? '',
    context.keychain.source,
  ].join('\n');
  const cached = tokenCache.get(cacheKey);
  if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
  const fresh = await fetchBearerToken(challenge, context);
  tokenCache.set(cacheKey, fresh);
  return `Bearer ${fresh.token}`;
}
