import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import { ApiError, notFound } from '../http/api-error';
import type { ServerContext } from '../http/context';
import { blobInfoSchema, digestSchema, withErrors } from '../http/schemas';

const digestParams = { type: 'object', required: ['digest'], properties: { digest: digestSchema } } as const;
const octetStream = { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

/**
 * The content-addressed store. Bodies are raw bytes streamed straight to the backend (never buffered), so memory
 * stays flat whatever the blob size. Robots read only blobs their workflow uploaded or references.
 */
export function registerCasRoutes(app: FastifyInstance, context: ServerContext): void {
  app.register(async (cas) => {
    // Leave the body unread: the handlers stream request.raw themselves.
    cas.removeAllContentTypeParsers();
    cas.addContentTypeParser('*', (_request, _payload, done) => done(null));
    registerBlobRoutes(cas, context);
  });
}

export function blobTooLargeMessage(maxBlobBytes: number): string {
  return `blob is larger than the control plane's limit of ${maxBlobBytes} bytes: raise --max-blob-size on the control plane`;
}

function registerBlobRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository, cas, metrics, config } = context;

  const tooLarge = () => new ApiError(413, 'BLOB_TOO_LARGE', blobTooLargeMessage(config.maxBlobBytes));

  const checkDeclaredLength = (request: FastifyRequest) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > config.maxBlobBytes) {
      // Refuse before reading. The connection stays open (Node drains what still comes): closing it with unread
      // bytes makes the kernel reset it, which can destroy the 413 before the client reads it. Our client stops
      // sending as soon as the answer is in.
      throw tooLarge();
    }
  };

  const mayRead = async (principal: Principal, digest: string) =>
    principal.kind === 'admin' || (await repository.canReadBlob(digest, principal.workflowId));

  const blobNotFound = (digest: string) =>
    notFound(
      'BLOB_NOT_FOUND',
      `blob ${digest} not found in the CAS: check the digest (chainloop workflow run describe)`,
    );

  app.put<{ Params: { digest: string } }>(
    '/v1/cas/:digest',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Upload a blob under its known digest; kept only if the bytes hash to it',
        tags: ['cas'],
        params: digestParams,
        response: withErrors({ 200: blobInfoSchema, 201: blobInfoSchema }, [413]),
      },
    },
    async (request, reply) => {
      const { digest } = request.params;
      const principal = request.principal;
      checkDeclaredLength(request);
      const existing = await cas.stat(digest);
      if (existing && (await mayRead(principal, digest))) {
        // Already there and already visible to the caller: drain the body cheaply, no hashing, no disk.
        request.raw.resume();
        await new Promise<void>((resolve) => {
          if (request.raw.readableEnded) resolve();
          else request.raw.once('end', resolve).once('close', resolve);
        });
        return reply.code(200).send(existing);
      }
      // The body is handed over untouched: a 'data' listener here would start the flow before the backend reads.
      const written = await cas.write(request.raw, { expectedDigest: digest, maxBytes: config.maxBlobBytes });
      metrics.casBytesIn.inc(written.size);
      if (principal.kind === 'robot') await repository.grantBlobAccess(written.digest, principal.workflowId);
      return reply.code(written.created ? 201 : 200).send({ digest: written.digest, size: written.size });
    },
  );

  app.post(
    '/v1/cas/uploads',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Upload a blob whose digest the client computes while sending; the server answers with its own',
        tags: ['cas'],
        response: withErrors({ 201: blobInfoSchema }, [413]),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      checkDeclaredLength(request);
      const written = await cas.write(request.raw, { maxBytes: config.maxBlobBytes });
      metrics.casBytesIn.inc(written.size);
      if (principal.kind === 'robot') await repository.grantBlobAccess(written.digest, principal.workflowId);
      return reply.code(201).send({ digest: written.digest, size: written.size });
    },
  );

  app.get<{ Params: { digest: string } }>(
    '/v1/cas/:digest',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Download a blob',
        tags: ['cas'],
        params: digestParams,
        response: withErrors({ 200: { description: 'the blob bytes', ...octetStream } }),
      },
    },
    async (request, reply) => {
      const { digest } = request.params;
      if (!(await mayRead(request.principal, digest))) throw blobNotFound(digest);
      const blob = await cas.read(digest);
      if (!blob) throw blobNotFound(digest);
      blob.stream.on('data', (chunk: Buffer) => metrics.casBytesOut.inc(chunk.length));
      reply.header('content-type', 'application/octet-stream');
      reply.header('content-length', String(blob.size));
      reply.header('docker-content-digest', digest);
      return reply.send(blob.stream);
    },
  );

  app.head<{ Params: { digest: string } }>(
    '/v1/cas/:digest',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Does the blob exist (for this caller)?',
        tags: ['cas'],
        params: digestParams,
        response: {
          200: { description: 'it exists', type: 'null' },
          404: { description: 'it does not', type: 'null' },
        },
      },
    },
    async (request, reply) => {
      const { digest } = request.params;
      const blob = (await mayRead(request.principal, digest)) ? await cas.stat(digest) : undefined;
      if (!blob) return reply.code(404).send();
      reply.header('content-length', String(blob.size));
      return reply.code(200).send();
    },
  );
}
