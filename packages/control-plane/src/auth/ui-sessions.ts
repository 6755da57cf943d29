import { randomBytes } from 'node:crypto';
import { hashToken, sameHash } from './tokens';

export const UI_SESSION_COOKIE = 'chainloop_session';
/** How long a UI session lasts from sign-in; the cookie's Max-Age says the same. */
export const UI_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Past this many live sessions the oldest is ended, so sign-ins cannot grow the map without bound. */
const MAX_SESSIONS = 10_000;

export interface UiSession {
  /** Compared in constant time with the X-CSRF-Token header of every state-changing request. */
  csrfToken: string;
  expiresAt: number;
}

/**
 * Browser sessions of the web UI, in this process's memory: the cookie holds a random id (never the admin token),
 * the map holds the session under the id's hash. A restart signs everybody out.
 */
export class UiSessions {
  readonly #sessions = new Map<string, UiSession>();

  constructor(
    private readonly ttlMs = UI_SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  create(): { id: string; session: UiSession } {
    this.#sweep();
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const session = { csrfToken: randomBytes(32).toString('base64url'), expiresAt: this.now() + this.ttlMs };
    this.#sessions.set(hashToken(id), session);
    return { id, session };
  }

  /** The live session of a Cookie header, if it names one. */
  fromCookie(cookieHeader: string | undefined): { id: string; session: UiSession } | undefined {
    const id = readCookie(cookieHeader, UI_SESSION_COOKIE);
    if (!id) return undefined;
    const key = hashToken(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return { id, session };
  }

  end(id: string): void {
    this.#sessions.delete(hashToken(id));
  }

  #sweep(): void {
    const now = this.now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
  }
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
