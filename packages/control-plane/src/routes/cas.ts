import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import type { BlobMetadata } from '../cas/backend';
import { ApiError, notFound } from '../http/api-error';
import type { ServerContext } from '../http/context';
import { blobInfoSchema, digestSchema, ruled, withErrors } from '../http/schemas';

const digestParams = { type: 'object', required: ['digest'], properties: { digest: digestSchema } } as const;
const octetStream = { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

/**
 * The content-addressed store. Bodies are raw bytes streamed straight to the backend (never buffered), so memory
 * stays flat whatever the blob size. A robot reads a blob only when a robot of its workflow uploaded the bytes in full
 * (a digest-checked upload proves possession), or when it is the stored attestation of one of its workflow's runs
 * (served from the database). Whether anyone else stored a blob is never revealed: a blob the caller cannot read is
 * 404 whether or not it exists, and an upload answers 201 unless the caller could already read the blob.
 */
export function registerCasRoutes(app: FastifyInstance, context: ServerContext): void {
  app.register(async (cas) => {
    // Leave the body unread: the handlers stream request.raw themselves.
    cas.removeAllContentTypeParsers();
    cas.addContentTypeParser('*', (_request, _payload, done) => done(null));
    registerBlobRoutes(cas, context);
  });
}

/** A file name's last path segment without control characters, at most 255 characters (may be empty). */
function baseFileName(name: string): string {
  return (
    name
      .split(/[\\/]/)
      .pop()
      ?.replace(/[\u0000-\u001f\u007f]/g, '')
      .slice(0, 255) ?? ''
  );
}

/** RFC 5987 / 8187 percent-encoding of UTF-8 (attr-char kept), for `filename*=UTF-8''…`. */
function encodeRfc5987(value: string): string {
  const wellFormed = value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
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

  /** The blob's size and bytes when the caller may read it: from the CAS, or a stored attestation's bundle. */
  const openReadable = async (principal: Principal, digest: string, withBytes: boolean) => {
    if (!(await mayRead(principal, digest))) return undefined;
    const blob = withBytes ? await cas.read(digest) : await cas.stat(digest);
    if (blob) return { size: blob.size, stream: 'stream' in blob ? blob.stream : undefined };
    const attestation = await repository.getAttestation(digest);
    if (!attestation) return undefined;
    const bytes = Buffer.from(attestation.bundle, 'utf8');
    return { size: bytes.length, stream: withBytes ? Readable.from([bytes]) : undefined };
  };

  /**
   * What the backend may record about an upload: the uploading workflow, and the file name a client sends in
   * `X-Chainloop-File-Name` (percent-encoded UTF-8, base name only).
   */
  const uploadMetadata = async (request: FastifyRequest): Promise<BlobMetadata> => {
    const metadata: BlobMetadata = {};
    const principal = request.principal;
    if (principal.kind === 'robot') {
      const workflow = await repository.getWorkflow(principal.workflowId);
      metadata.workflow = { id: principal.workflowId, name: workflow?.name };
    }
    const header = request.headers['x-chainloop-file-name'];
    if (typeof header === 'string' && header !== '') {
      let name = header;
      try {
        name = decodeURIComponent(header);
      } catch {
        // Not percent-encoded: kept as sent.
      }
      name = baseFileName(name);
      if (name) metadata.fileName = name;
    }
    return metadata;
  };

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
        summary:
          'Upload a blob under its known digest; kept only if the bytes hash to it. 201, or 200 when the caller could already read it',
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
      const written = await cas.write(request.raw, {
        expectedDigest: digest,
        maxBytes: config.maxBlobBytes,
        metadata: await uploadMetadata(request),
      });
      metrics.casBytesIn.inc(written.size);
      if (principal.kind === 'robot') await repository.recordBlobUpload(written.digest, principal.workflowId);
      // 201 whether or not the bytes were stored already: for the caller they are new, and telling it that another
      // workflow had them would reveal what that workflow stores.
      return reply.code(201).send({ digest: written.digest, size: written.size });
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
      const written = await cas.write(request.raw, {
        maxBytes: config.maxBlobBytes,
        metadata: await uploadMetadata(request),
      });
      metrics.casBytesIn.inc(written.size);
      if (principal.kind === 'robot') await repository.recordBlobUpload(written.digest, principal.workflowId);
      return reply.code(201).send({ digest: written.digest, size: written.size });
    },
  );

  app.get<{ Params: { digest: string }; Querystring: { name?: string } }>(
    '/v1/cas/:digest',
    {
      // The web UI's run detail links material downloads (with the session cookie, as the admin).
      config: { access: 'any', uiSession: true },
      schema: {
        summary: 'Download a blob; with ?name=FILE it is answered as an attachment of that file name',
        tags: ['cas'],
        params: digestParams,
        querystring: {
          type: 'object',
          properties: {
            name: ruled('file name', 'use 1 to 255 characters (a path keeps its base name only)', {
              type: 'string',
              minLength: 1,
              maxLength: 255,
            }),
          },
        },
        response: withErrors({ 200: { description: 'the blob bytes', ...octetStream } }),
      },
    },
    async (request, reply) => {
      const { digest } = request.params;
      const blob = await openReadable(request.principal, digest, true);
      if (!blob?.stream) throw blobNotFound(digest);
      blob.stream.on('data', (chunk: Buffer) => metrics.casBytesOut.inc(chunk.length));
      reply.header('content-type', 'application/octet-stream');
      reply.header('content-length', String(blob.size));
      reply.header('docker-content-digest', digest);
      const fileName = request.query.name === undefined ? '' : baseFileName(request.query.name);
      if (fileName) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeRfc5987(fileName)}`);
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
      const blob = await openReadable(request.principal, digest, false);
      if (!blob) return reply.code(404).send();
      reply.header('content-length', String(blob.size));
      return reply.code(200).send();
    },
  );
}
