import { randomBytes } from 'node:crypto';
import type { Repository } from '../storage/repository';
import { hashToken, sameHash } from './tokens';

export const UI_SESSION_COOKIE = 'chainloop_session';
/** How long a UI session lasts from sign-in; the cookie's Max-Age says the same. */
export const UI_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Past this many live sessions the oldest is ended, so sign-ins cannot grow the table without bound. */
const MAX_SESSIONS = 10_000;

export interface UiSession {
  /** Compared in constant time with the X-CSRF-Token header of every state-changing request. */
  csrfToken: string;
  expiresAt: number;
}

/**
 * Browser sessions of the web UI, in the database every control plane behind the load balancer shares: the cookie
 * holds a random id (never the admin token), the store holds the session under the id's hash, so a cookie works on
 * every replica and survives a restart. Expired sessions are removed at each sign-in, and when a cookie names one.
 */
export class UiSessions {
  constructor(
    private readonly store: Pick<
      Repository,
      'createUiSession' | 'getUiSession' | 'deleteUiSession' | 'sweepUiSessions'
    >,
    options: { adminTokenHash: string; ttlMs?: number; now?: () => number },
  ) {
    this.adminTokenHash = options.adminTokenHash;
    this.ttlMs = options.ttlMs ?? UI_SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  private readonly adminTokenHash: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /**
   * Where a session id is stored: its hash together with the admin token's, so a session opened with the admin token
   * ends when the token is changed (a leaked token rotated away must not live on as a cookie).
   */
  private key(id: string): string {
    return uiSessionKey(id, this.adminTokenHash);
  }

  async create(): Promise<{ id: string; session: UiSession }> {
    const now = this.now();
    // Room for the new one: expired sessions go, and the oldest beyond the cap.
    await this.store.sweepUiSessions(new Date(now).toISOString(), MAX_SESSIONS - 1);
    const id = randomBytes(32).toString('base64url');
    const session = { csrfToken: randomBytes(32).toString('base64url'), expiresAt: now + this.ttlMs };
    await this.store.createUiSession({
      idHash: this.key(id),
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
    return { id, session };
  }

  /** The live session of a Cookie header, if it names one. */
  async fromCookie(cookieHeader: string | undefined): Promise<{ id: string; session: UiSession } | undefined> {
    const id = readCookie(cookieHeader, UI_SESSION_COOKIE);
    if (!id) return undefined;
    const idHash = this.key(id);
    const stored = await this.store.getUiSession(idHash);
    if (!stored) return undefined;
    const session = { csrfToken: stored.csrfToken, expiresAt: Date.parse(stored.expiresAt) };
    if (!(session.expiresAt > this.now())) {
      await this.store.deleteUiSession(idHash);
      return undefined;
    }
    return { id, session };
  }

  async end(id: string): Promise<void> {
    await this.store.deleteUiSession(this.key(id));
  }
}

/** The stored key of a session id: never the id itself, and bound to the admin token it was opened with. */
export function uiSessionKey(id: string, adminTokenHash: string): string {
  return hashToken(`${adminTokenHash}:${id}`);
}

export function sameCsrfToken(sent: string, expected: string): boolean {
  return sameHash(hashToken(sent), hashToken(expected));
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
