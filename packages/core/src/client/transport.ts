import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ChainloopError, UsageError } from '../errors';
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
  body?: () => Readable;
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
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
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

  async request(method: string, path: string, options: RequestOptions): Promise<Response> {
    const attempts = options.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        const url = `${this.baseUrl}${path}`;
        response = options.body
          ? await this.sendStream(method, url, options.body, options.headers)
          : await fetch(url, this.init(method, options));
      } catch (error) {
        const code = connectionErrorCode(error);
        if (code === undefined) throw error;
        if (attempt < attempts) {
          await this.backoff(attempt);
          continue;
        }
        throw unreachable(this.baseUrl, code === 'ECONNREFUSED' ? 'connection refused' : code, error);
      }
      if (response.ok || options.accept?.includes(response.status)) return response;
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        await response.body?.cancel();
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

  private init(method: string, options: RequestOptions): RequestInit {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      'user-agent': `chainloop-ts/${CHAINLOOP_TS_VERSION}`,
      'chainloop-cli-version': CHAINLOOP_TS_VERSION,
      ...options.headers,
    };
    const signal = options.longRunning ? undefined : AbortSignal.timeout(this.timeoutMs);
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      return { method, headers, body: JSON.stringify(options.json), signal };
    }
    return { method, headers, signal };
  }

  /**
   * Streams a request body with node:http, honouring backpressure: Node 20's fetch reads a streamed body ahead of
   * the socket and would hold a whole 1 GiB upload in memory. The small answer is wrapped in a Response.
   */
  private sendStream(
    method: string,
    url: string,
    body: () => Readable,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? https.request : http.request;
    const headers = {
      authorization: `Bearer ${this.token}`,
      'user-agent': `chainloop-ts/${CHAINLOOP_TS_VERSION}`,
      'chainloop-cli-version': CHAINLOOP_TS_VERSION,
      'content-type': 'application/octet-stream',
      ...extraHeaders,
    };
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = send(target, { method, headers }, (answer) => {
        answered = true;
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          // An answer before the whole body was sent is a refusal (413, 401…): stop sending what nobody reads.
          if (!request.writableFinished) request.destroy();
          const status = answer.statusCode ?? 500;
          const content = status === 204 || status === 304 || chunks.length === 0 ? null : Buffer.concat(chunks);
          resolve(new Response(content, { status, statusText: answer.statusMessage, headers: responseHeaders }));
        });
      });
      // A server refusing early (413) answers and closes while we still send: the write then fails (EPIPE, ECONNRESET)
      // but the answer is what the user must see. Once an answer has started, it settles the request.
      request.on('error', (error) => {
        if (!answered) setTimeout(() => reject(error), 50);
      });
      // An idle socket (no progress either way) for the whole timeout is a dead control plane, not a slow upload.
      request.setTimeout(this.timeoutMs, () => {
        request.destroy(Object.assign(new Error(`no answer in ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      const sendBody = () =>
        pipeline(body(), request).catch((error: unknown) => {
          if (!answered) setTimeout(() => reject(error), 50);
        });
      if (extraHeaders['content-length'] !== undefined) {
        // A known size asks first (Expect: 100-continue): a control plane that cannot take the blob answers 413
        // before a byte is sent, instead of mid-stream on a connection it must then close.
        request.setHeader('expect', '100-continue');
        request.once('continue', sendBody);
        request.flushHeaders();
      } else {
        sendBody();
      }
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

function connectionErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'TimeoutError') return 'no answer in time';
  const candidates: unknown[] = [error, error.cause];
  const cause = error.cause as { errors?: unknown[] } | undefined;
  if (cause && Array.isArray(cause.errors)) candidates.push(...cause.errors);
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code === 'ENOTFOUND')) return code;
  }
  // undici's bare "fetch failed" without a code (e.g. "bad port") is still a failed connection; say why.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return error.cause instanceof Error ? error.cause.message : 'connection failed';
  }
  return undefined;
}

async function errorFromResponse(method: string, path: string, response: Response): Promise<ChainloopError> {
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
