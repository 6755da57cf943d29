import type { Readable } from 'node:stream';
import { type ChainloopError, UsageError } from '../errors';
import {
  type BodyWriter,
  connectionErrorCode,
  type HttpRequestOptions,
  type HttpResponse,
  httpRequest,
  isTlsErrorCode,
} from '../http/http-request';
import { CHAINLOOP_TS_VERSION } from '../version';
import { ControlPlaneError, unreachable } from './control-plane-error';

export interface TransportOptions {
  baseUrl: string;
  token: string;
  /**
   * Where the token came from, as the user set it ("--token", "CHAINLOOP_ROBOT_ACCOUNT", "CHAINLOOP_TOKEN"): a 401
   * answer then names it instead of the control plane's generic hint, which cannot know.
   */
  tokenSource?: string;
  /** Extra attempts for idempotent calls after a connection error or a 5xx (default 3). */
  retries?: number;
  /**
   * Whether those retries include a refused connection (nothing listening at the URL; default true): a push rides out
   * a control plane restart. False answers at once, for calls that cannot succeed until someone starts it.
   */
  retryRefused?: boolean;
  /** First backoff delay in ms, doubled each attempt (default 200). */
  retryDelayMs?: number;
  /** Give up on a call (or an upload whose socket stays silent) after this many ms (default 60000). */
  timeoutMs?: number;
  /** Told, in one line for the user, before each wait for a 429's Retry-After (the CLI prints it as a warning). */
  onRateLimited?: (message: string) => void;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** A fresh body per attempt (streams cannot be replayed), sent as application/octet-stream. */
  body?: (() => Readable) | BodyWriter;
  headers?: Record<string, string>;
  /** Safe to send again after a connection error or a 5xx. */
  idempotent: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "does it exist?"). */
  accept?: number[];
  /** A download whose body may take longer than the timeout to arrive: no overall deadline. */
  longRunning?: boolean;
}

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);
/** 429s waited out per call before giving up. */
const MAX_RATE_LIMIT_WAITS = 5;
/** The longest Retry-After waited for; a control plane asking for more gets a clear error at once instead. */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
/** The wait when a 429 carries no (readable) Retry-After. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** Connection errors that leave no doubt: the request never reached the control plane. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * HTTP to the control plane: auth header, JSON, retries with backoff, waits for a 429's Retry-After, and error answers
 * as ChainloopError.
 */
export class ControlPlaneTransport {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly tokenSource?: string;
  private readonly retries: number;
  private readonly retryRefused: boolean;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly onRateLimited?: (message: string) => void;

  constructor(options: TransportOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.token = options.token;
    this.tokenSource = options.tokenSource;
    this.retries = options.retries ?? 3;
    this.retryRefused = options.retryRefused ?? true;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.onRateLimited = options.onRateLimited;
  }

  async request(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const attempts = options.idempotent ? this.retries + 1 : 1;
    let rateLimitWaits = 0;
    // Whether an attempt may have been received and processed though its answer never came (see unreachable()).
    let mayHaveArrived = false;
    // Only connection errors and 5xx count as attempts; waiting out a 429 does not.
    for (let attempt = 1; ; ) {
      let response: HttpResponse;
      try {
        response = await this.send(method, path, options);
        // Answers are small JSON, read whole within the deadline; a download streams.
        if (!options.longRunning) await response.bytes();
      } catch (error) {
        // Only the connection's own failures: a file that cannot be read for an upload is the caller's error.
        const code = connectionErrorCode(error);
        const connectionError = code !== undefined && CONNECTION_ERRORS.has(code);
        if (code === undefined || (!connectionError && !isTlsErrorCode(code))) throw error;
        if (!NEVER_SENT.has(code) && !isTlsErrorCode(code)) mayHaveArrived = true;
        const retryable = connectionError && (code !== 'ECONNREFUSED' || this.retryRefused);
        if (retryable && attempt < attempts) {
          await this.backoff(attempt++);
          continue;
        }
        throw unreachable(this.baseUrl, describeConnectionError(code), error, mayHaveArrived);
      }
      if (response.ok || options.accept?.includes(response.status)) return response;
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        mayHaveArrived = true;
        response.discard();
        await this.backoff(attempt++);
        continue;
      }
      if (response.status === 429) {
        // The control plane processed nothing: sending again is safe whatever the method, once the window allows it.
        const wait = retryAfterMs(response.header('retry-after')) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
        const seconds = Math.ceil(wait / 1000);
        if (wait > MAX_RATE_LIMIT_WAIT_MS) {
          response.discard();
          throw rateLimited(
            `the control plane at ${this.baseUrl} applies a rate limit to this token (429 to ${method} ${path.split('?')[0]}) and asks to retry after ${seconds} s, longer than chainloop waits (${MAX_RATE_LIMIT_WAIT_MS / 1000} s): retry after ${seconds} s, or ask its operator to raise --rate-limit`,
          );
        }
        if (rateLimitWaits >= MAX_RATE_LIMIT_WAITS) {
          response.discard();
          throw rateLimited(
            `the control plane at ${this.baseUrl} still refused ${method} ${path.split('?')[0]} with 429 (rate limit) after ${MAX_RATE_LIMIT_WAITS} waits for Retry-After: too many requests with this token (several jobs sharing it?); retry after ${seconds} s, or ask its operator to raise --rate-limit`,
          );
        }
        response.discard();
        rateLimitWaits++;
        this.onRateLimited?.(
          `control plane rate limit reached (429), retrying in ${seconds} s (${method} ${path.split('?')[0]})`,
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      throw withTokenSource(await errorFromResponse(method, path, response), this.tokenSource);
    }
  }

  async json<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const response = await this.request(method, path, options);
    return (await response.json()) as T;
  }

  private send(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      'user-agent': `chainloop-ts/${CHAINLOOP_TS_VERSION}`,
      'chainloop-cli-version': CHAINLOOP_TS_VERSION,
      ...options.headers,
    };
    let body: HttpRequestOptions['body'];
    if (options.body) {
      headers['content-type'] = 'application/octet-stream';
      body = options.body;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    return httpRequest(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      // A known size asks first: a control plane that cannot take the blob answers 413 before a byte is sent,
      // instead of mid-stream on a connection it must then close.
      expectContinue: options.body !== undefined && headers['content-length'] !== undefined,
      // An upload may take longer than the deadline; only a socket silent that long is dead.
      timeoutMs: options.longRunning || options.body ? undefined : this.timeoutMs,
      idleTimeoutMs: this.timeoutMs,
    });
  }

  private backoff(attempt: number): Promise<void> {
    const delay = this.retryDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
    return new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * The wait a Retry-After header asks for, in ms: delay-seconds (`120`) or an HTTP date (the time left until then,
 * never negative); undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) has a day or month name and a time.
  if (!/[a-z]/i.test(text) || !/\d:\d/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A 401 names where the token came from: the control plane's hint ("check --token / CHAINLOOP_TOKEN") is replaced by
 * the one place the user actually set it; a reason with another fix (a revoked robot account) keeps it and gains the
 * source.
 */
function withTokenSource(error: ChainloopError, tokenSource: string | undefined): ChainloopError {
  if (!tokenSource || !(error instanceof ControlPlaneError) || error.status !== 401) return error;
  const hintAt = error.message.lastIndexOf(': ');
  const hint = hintAt < 0 ? '' : error.message.slice(hintAt + 2);
  const message = /--token|CHAINLOOP_TOKEN/.test(hint)
    ? `${error.message.slice(0, hintAt)}: check ${tokenSource} (where this token came from)`
    : `${error.message} (the token came from ${tokenSource})`;
  return new ControlPlaneError(error.status, error.code, message);
}

function rateLimited(message: string): ControlPlaneError {
  return new ControlPlaneError(429, 'RATE_LIMITED', message);
}

function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(
      'INVALID_CONTROL_PLANE_URL',
      `control plane URL "${baseUrl}" is not a URL: pass e.g. --control-plane http://127.0.0.1:8000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'INVALID_CONTROL_PLANE_URL',
      `control plane URL "${baseUrl}" must start with http:// or https://: fix --control-plane / CHAINLOOP_CONTROL_PLANE_API`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

function describeConnectionError(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT') return 'no answer in time, ETIMEDOUT';
  if (isTlsErrorCode(code))
    return `TLS handshake failed: ${code}; if its certificate is private, trust its CA with NODE_EXTRA_CA_CERTS`;
  return code;
}

async function errorFromResponse(method: string, path: string, response: HttpResponse): Promise<ChainloopError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string' && typeof body.message === 'string') {
      return new ControlPlaneError(response.status, body.code, body.message.split('\n')[0]);
    }
  } catch {
    // Not our JSON error shape (a proxy in between, for example); describe the status instead.
  }
  return new ControlPlaneError(
    response.status,
    'CONTROL_PLANE_ERROR',
    `control plane answered ${response.status} ${response.statusText} to ${method} ${path.split('?')[0]}: check its log`,
  );
}
