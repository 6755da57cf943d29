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
  /** Extra attempts for idempotent calls after a connection error or a 5xx (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each attempt (default 200). */
  retryDelayMs?: number;
  /** Give up on a call (or an upload whose socket stays silent) after this many ms (default 60000). */
  timeoutMs?: number;
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

/** HTTP to the control plane: auth header, JSON, retries with backoff, and error answers as ChainloopError. */
export class ControlPlaneTransport {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.token = options.token;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async request(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const attempts = options.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.send(method, path, options);
        // Answers are small JSON, read whole within the deadline; a download streams.
        if (!options.longRunning) await response.bytes();
      } catch (error) {
        // Only the connection's own failures: a file that cannot be read for an upload is the caller's error.
        const code = connectionErrorCode(error);
        const retryable = code !== undefined && CONNECTION_ERRORS.has(code);
        if (code === undefined || (!retryable && !isTlsErrorCode(code))) throw error;
        if (retryable && attempt < attempts) {
          await this.backoff(attempt);
          continue;
        }
        throw unreachable(this.baseUrl, describeConnectionError(code), error);
      }
      if (response.ok || options.accept?.includes(response.status)) return response;
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        response.discard();
        await this.backoff(attempt);
        continue;
      }
      throw await errorFromResponse(method, path, response);
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
