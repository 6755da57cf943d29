import type { Socket } from 'node:net';
import { ChainloopError } from '@chainloop-ts/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LogSink } from '../log-sink';
import { ApiError, statusForCode } from './api-error';
import { fieldRuleOf } from './schemas';
import { timedOutBodies } from './timeouts';

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

const STORAGE_FULL: ErrorAnswer = {
  status: 507,
  code: 'STORAGE_FULL',
  message:
    'the control plane is out of disk space and stored nothing: ask its operator to free space on its data volume, then retry',
};

/** Error codes of a full disk: Node's (ENOSPC, EDQUOT), SQLite's and PostgreSQL's (SQLSTATE 53100 disk_full). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);

/** Maps any error to the one error shape `{code, message}` and an HTTP status. */
export function describeError(error: FastifyError, request?: FastifyRequest): ErrorAnswer {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
  if (DISK_FULL_CODES.has(String(error.code))) return STORAGE_FULL;
  if (error instanceof ChainloopError) {
    return { status: statusForCode(error.code) ?? 400, code: error.code, message: error.message };
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    const explained = request && explainInvalidField(error, request);
    return { status: 400, code: 'INVALID_REQUEST', message: `invalid ${where}: ${explained ?? error.message}` };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'BODY_TOO_LARGE',
        message:
          'request body is larger than the control plane accepts: send a smaller document, or raise --max-body-size',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON with Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_JSON', message: `request body is not valid JSON: ${error.message}` };
  }
  if (error instanceof SyntaxError) {
    return { status: 400, code: 'INVALID_JSON', message: `request body is not valid JSON: ${error.message}` };
  }
  const status = error.statusCode ?? 500;
  if (status < 500) return { status, code: error.code ?? 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL', message: 'internal error in the control plane: see its log' };
}

/**
 * A schema validation failure in words: a field with a rule (see `ruled` in schemas.ts) says what a valid value is; a
 * value outside an enum lists the allowed ones. Undefined leaves the validator's own message.
 */
function explainInvalidField(error: FastifyError, request: FastifyRequest): string | undefined {
  const [failure] = error.validation ?? [];
  const context = error.validationContext;
  if (!failure || !context) return undefined;
  const segments = failure.instancePath.split('/').slice(1).map(unescapePointer);
  const routeSchema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
  // '#/properties/name/pattern' → the schema object of `name`; '#/required' → the object missing a property.
  const schemaPath = failure.schemaPath.replace(/^#\//, '').split('/').slice(0, -1).map(unescapePointer);
  const schemaAt = (path: string[]) => path.reduce<unknown>(dig, routeSchema);
  const missing = failure.keyword === 'required' ? failure.params?.missingProperty : undefined;
  if (typeof missing === 'string') {
    const rule = fieldRuleOf(schemaAt([...schemaPath, 'properties', missing]));
    const field = [...segments, missing].join('.');
    return `${field} is missing${rule ? `: send a ${rule.what}; ${rule.rule}` : ''}`;
  }
  const field = segments.join('.');
  if (!field) return undefined;
  const fieldSchema = schemaAt(schemaPath);
  const input = { body: request.body, querystring: request.query, params: request.params, headers: request.headers }[
    context
  ];
  const value = segments.reduce<unknown>(dig, input);
  const rule = fieldRuleOf(fieldSchema);
  if (rule) return `${field} ${quoted(value)} is not a valid ${rule.what}: ${rule.rule}`;
  if (failure.keyword === 'enum' && Array.isArray(failure.params?.allowedValues)) {
    return `${field} ${quoted(value)} is not one of the accepted values: use ${failure.params.allowedValues.join(', ')}`;
  }
  return undefined;
}

function dig(node: unknown, key: string): unknown {
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value as JSON, cut short so a 2000-character value does not become the whole message. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80
    ? text
    : `${text.slice(0, 60)}…" (${typeof value === 'string' ? value.length : text.length} characters)`;
}

/** True when the client went away mid-request: nobody is left to answer. */
function clientAborted(request: FastifyRequest, error: FastifyError): boolean {
  if (request.raw.complete) return false;
  return (
    request.raw.aborted ||
    request.raw.socket?.destroyed === true ||
    error.code === 'ECONNRESET' ||
    error.code === 'ERR_STREAM_PREMATURE_CLOSE'
  );
}

/**
 * Every error answer is `{code, message}`: thrown errors, unknown routes, and what Node's HTTP parser refuses before a
 * route is known (a malformed request line, oversized headers, a headers timeout). A client that gave up mid-request
 * is one warning line, not a stack trace.
 */
export function answerErrors(app: FastifyInstance, log: LogSink | undefined): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const path = request.url.split('?')[0];
    if (clientAborted(request, error)) {
      if (timedOutBodies.has(request.raw)) return;
      log?.write('WRN', `${request.method} ${path}: the client closed the connection before the request was complete`);
      return;
    }
    const { status, code, message } = describeError(error, request);
    if (status === 500) log?.write('ERR', `${request.method} ${path}: ${error.stack ?? error.message}`);
    // The rest of an unread body: drained when its length is declared (the client reads the answer, then stops
    // sending; closing with unread bytes would make the kernel reset the connection, destroying the answer), else the
    // connection is closed so it cannot be reused mid-body.
    if (!request.raw.complete && !drainBody(request)) reply.header('connection', 'close');
    if (!reply.sent) reply.code(status).send({ code, message });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      code: 'ROUTE_NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}: see /v1/openapi.json for the API`,
    });
  });
}

/** Reads and discards the rest of a body whose length was declared; false when it cannot (chunked, or gone). */
function drainBody(request: FastifyRequest): boolean {
  const raw = request.raw;
  if (raw.headers['content-length'] === undefined || raw.destroyed || raw.socket?.destroyed) return false;
  raw.resume();
  return true;
}

/**
 * Fastify's `frameworkErrors`: errors found while routing, before any handler (a malformed %-escape in the path, a
 * path parameter too long), in our error shape instead of Fastify's own.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const answer =
    error.code === 'FST_ERR_BAD_URL'
      ? { status: 400, code: 'INVALID_URL', message: 'the request path is not a valid URL: check its %-escapes' }
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? { status: 414, code: 'PATH_TOO_LONG', message: 'a path parameter is longer than the control plane accepts' }
        : describeError(error);
  reply.code(answer.status).send({ code: answer.code, message: answer.message });
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the request (408 headers timeout, 431, 400); answer in our
 * error shape on the raw socket and close it.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return;
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request headers did not arrive in time: send them promptly']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
