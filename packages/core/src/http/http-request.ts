// node:http rather than fetch: loading undici costs a CLI command ~12 ms, and its idle keep-alive socket holds the
// process ~60 ms after the last answer; both were a third of a short command's time (bench/ §3).
import { type Agent, request as httpSend, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsSend } from 'node:https';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { phaseStarted } from '../phase-timings';
import { ProxyError, type ProxyRoute, proxyAgent, proxyFor, proxyRefused, proxyUnreachable } from './proxy';

export interface HttpRequestOptions {
  method: string;
  headers?: Record<string, string>;
  /**
   * Bytes sent as they are; a fresh stream per attempt; or a writer that writes the body into the request itself (and
   * resolves when done), for senders that reuse their buffers. Streamed bodies are never replayed, so not redirected.
   */
  body?: string | Uint8Array | (() => Readable) | BodyWriter;
  /**
   * Send headers first and the streamed body only after `100 Continue` (needs a content-length header): a server that
   * refuses (413, 401) answers before a byte of the body is sent.
   */
  expectContinue?: boolean;
  /** Deadline for the whole exchange, answer body included; none when omitted (long downloads). */
  timeoutMs?: number;
  /** A socket silent this long in both directions is dead; defaults to timeoutMs. */
  idleTimeoutMs?: number;
  /** Redirects followed before the 3xx itself is returned (default 5; fetch's default too). */
  maxRedirects?: number;
}

/** Writes a request body into `sink` with backpressure; the request is ended when it resolves. */
export interface BodyWriter {
  writeTo(sink: Writable): Promise<void>;
}

/** The answer: status and headers, and the body read on demand (once) as bytes, text or JSON, or as a stream. */
export class HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  private readonly rawHeaders: IncomingHttpHeaders;
  private buffered?: Promise<Buffer>;

  constructor(
    readonly body: IncomingMessage,
    url: string,
  ) {
    this.status = body.statusCode ?? 0;
    this.statusText = body.statusMessage ?? '';
    this.url = url;
    this.rawHeaders = body.headers;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** A header's value (names are case-insensitive); repeated headers joined with ", ". */
  header(name: string): string | undefined {
    const value = this.rawHeaders[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** The whole body; reading it again returns the same bytes. */
  bytes(): Promise<Buffer> {
    this.buffered ??= new Promise<Buffer>((resolve, reject) => {
      // Already drained (a HEAD, a 204, a discarded body): there is nothing more to read.
      if (this.body.readableEnded) {
        resolve(Buffer.alloc(0));
        return;
      }
      const chunks: Buffer[] = [];
      this.body.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.body.once('end', () => resolve(Buffer.concat(chunks)));
      this.body.once('error', reject);
      this.body.once('close', () => {
        if (!this.body.complete) reject(this.body.errored ?? connectionClosed());
      });
    });
    return this.buffered;
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** Drops an unread body, so the connection is free for the next request (or to close). */
  discard(): void {
    if (this.buffered) return;
    this.buffered = Promise.resolve(Buffer.alloc(0));
    // Nobody reads it, so nobody cares how it ends.
    this.body.on('error', () => {});
    this.body.resume();
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One HTTP(S) request with Node's own client: redirects followed (Authorization kept only on the same origin), an
 * optional deadline, and errors carrying Node's codes (ECONNREFUSED, ETIMEDOUT, CERT_…). Sockets are kept alive
 * between requests of one process and never keep the process alive. Goes through the proxy that HTTPS_PROXY /
 * HTTP_PROXY name unless NO_PROXY exempts the host (proxy.ts); a proxy that cannot be reached or refuses is a
 * ProxyError naming it.
 */
export async function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpResponse> {
  let target = new URL(url);
  let { method, body } = options;
  let headers = { ...options.headers };
  for (let redirectsLeft = options.maxRedirects ?? 5; ; redirectsLeft--) {
    const proxy = await proxiedBy(target);
    const response = await sendOnce(target, method, headers, body, options, proxy);
    const location = response.header('location');
    if (!REDIRECTS.has(response.status) || !location || redirectsLeft <= 0) return response;
    const sameMethod = response.status === 307 || response.status === 308;
    if (sameMethod && isStreamed(body)) return response;
    response.discard();
    const next = new URL(location, target);
    if (next.origin !== target.origin) headers = withoutHeader(headers, 'authorization');
    if (!sameMethod && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
      headers = withoutHeader(withoutHeader(headers, 'content-type'), 'content-length');
    }
    target = next;
  }
}

/** The proxy a request goes through, its agent, and how the target's certificate is checked through the tunnel. */
interface ProxiedBy {
  route: ProxyRoute;
  agent: Agent;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

async function proxiedBy(target: URL): Promise<ProxiedBy | undefined> {
  const route = proxyFor(target);
  if (!route) return undefined;
  const agent = await proxyAgent(route, target);
  if (target.protocol !== 'https:') return { route, agent };
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return { route, agent, checkServerIdentity: (_host, cert) => checkServerIdentity(host, cert) };
}

function sendOnce(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: HttpRequestOptions['body'],
  options: HttpRequestOptions,
  proxy?: ProxiedBy,
): Promise<HttpResponse> {
  const send = target.protocol === 'https:' ? httpsSend : httpSend;
  return new Promise<HttpResponse>((resolve, reject) => {
    let answered = false;
    const request = send(
      target,
      proxy
        ? {
            method,
            headers,
            agent: proxy.agent,
            // Through a tunnel, https-proxy-agent leaves the TLS server name unset for an IP address, so Node would
            // check the certificate against "localhost": check it against the host the URL names, as without a proxy.
            ...(proxy.checkServerIdentity && { checkServerIdentity: proxy.checkServerIdentity }),
          }
        : { method, headers },
    );
    // CHAINLOOP_PHASE_TIMINGS: the exchange is network time until the request closes (its answer read, or failed).
    request.once('close', phaseStarted('network'));
    // Through a proxy, every failure before it connected us (or opened its tunnel) is the proxy's. The agent hands the
    // request a socket only once that is done (or reuses one that was).
    let proxyConnected = false;
    if (proxy) {
      request.once('proxyConnect', (connect: { statusCode?: number; statusText?: string }) => {
        if (connect.statusCode !== undefined && connect.statusCode !== 200) {
          request.destroy(proxyRefused(proxy.route, target, connect.statusCode, connect.statusText ?? ''));
        }
      });
      request.once('socket', () => {
        if (!request.destroyed) proxyConnected = true;
      });
    }
    const deadline =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => request.destroy(timeoutError(options.timeoutMs as number)), options.timeoutMs);
    // The socket, not this timer, decides whether the process stays up.
    deadline?.unref();
    const idle = options.idleTimeoutMs ?? options.timeoutMs;
    if (idle !== undefined) request.setTimeout(idle, () => request.destroy(timeoutError(idle)));
    request.once('response', (answer) => {
      if (proxy && answer.statusCode === 407) {
        // Only the proxy asks for proxy credentials (to an http:// target it forwards the request itself).
        answer.resume();
        fail(proxyRefused(proxy.route, target, 407, answer.statusMessage ?? ''));
        request.destroy();
        return;
      }
      answered = true;
      if (deadline) answer.once('close', () => clearTimeout(deadline));
      // An answer before the whole body was sent is a refusal (413, 401…): stop sending what nobody reads.
      answer.once('end', () => {
        if (!request.writableFinished) request.destroy();
      });
      // Nothing to read: free the connection now rather than when (if ever) the caller discards the body.
      if (method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304) answer.resume();
      resolve(new HttpResponse(answer, target.toString()));
    });
    // A server refusing early (413) answers and closes while we still send: the write then fails (EPIPE, ECONNRESET)
    // but the answer, arriving a moment later, is what the caller must see. Once an answer has started, it settles.
    const fail = (failure: unknown) => {
      if (answered) return;
      let error = failure;
      if (proxy && !proxyConnected && !(error instanceof ProxyError)) {
        error = proxyUnreachable(proxy.route, target, describeProxyFailure(error), error);
      }
      if (deadline) clearTimeout(deadline);
      if (isStreamed(body)) setTimeout(() => reject(error), 50);
      else reject(error);
    };
    request.on('error', fail);
    if (isStreamed(body)) {
      const sendBody = () =>
        (typeof body === 'function'
          ? pipeline(body(), request)
          : body.writeTo(request).then(() => new Promise<void>((done) => request.end(done)))
        ).catch(fail);
      // Not through a forwarding proxy (http:// targets): http-proxy-agent rewrites the request line after the
      // headers were flushed, sending them twice; and HTTP/1.0 proxies (tinyproxy) do not relay 100 Continue.
      if (options.expectContinue && !(proxy && target.protocol === 'http:')) {
        request.setHeader('expect', '100-continue');
        request.once('continue', sendBody);
        request.flushHeaders();
      } else {
        sendBody();
      }
    } else {
      request.end(body);
    }
  });
}

/** Why the proxy could not be reached, in a few words. */
function describeProxyFailure(error: unknown): string {
  const code = connectionErrorCode(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found, ${code}`;
  if (code === 'ETIMEDOUT') return 'no answer in time, ETIMEDOUT';
  if (code === 'ECONNRESET') return 'connection reset, ECONNRESET';
  if (code && isTlsErrorCode(code)) return `TLS handshake failed: ${code}`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function isStreamed(body: HttpRequestOptions['body']): body is (() => Readable) | BodyWriter {
  return typeof body === 'function' || (typeof body === 'object' && body !== null && 'writeTo' in body);
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name));
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer in ${ms} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

function connectionClosed(): Error {
  return Object.assign(new Error('connection closed before the whole answer arrived'), { code: 'ECONNRESET' });
}

const TLS_ERROR = /^(ERR_SSL|EPROTO|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

/** Whether an error code is a failed TLS handshake (wrong protocol, untrusted or mismatched certificate). */
export function isTlsErrorCode(code: string): boolean {
  return TLS_ERROR.test(code);
}

/**
 * The code of a failed connection (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, a TLS code…), looking into the AggregateError
 * Node raises when every address of a host failed; undefined for errors that are not about the connection.
 */
export function connectionErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidates: unknown[] = [error, (error as { cause?: unknown }).cause];
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) candidates.push(...errors);
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
