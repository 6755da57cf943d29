import { createHash } from 'node:crypto';
import { ChainloopError } from '@chainloop-ts/core';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../http/api-error';
import type { ServerContext } from '../http/context';
import { ruled, withErrors } from '../http/schemas';
import type { PolicyDocumentKind, PolicyRevisionRecord } from '../storage/repository';

/**
 * What differs between the policy routes and the policy group routes: everything else (revisions like contracts,
 * organisation-wide names, admin writes, reads for robots too) is the same.
 */
interface StoredDocumentKind {
  kind: PolicyDocumentKind;
  /** `policy`, `policy group`: what messages call it. */
  what: string;
  /** The CLI command that manages it, for the fixes messages suggest. */
  command: string;
  path: string;
  /** The list response's property. */
  listKey: string;
  tag: string;
  notFound: string;
  revisionNotFound: string;
  /** Parses the document and compiles its rules; throws a ChainloopError naming the path and the reason. */
  check(body: string): Promise<{ name: string }>;
  /** What a listing shows of a stored document besides its name and revision. */
  summarize(body: string): Promise<{ description?: string; kinds?: string[] }>;
}

const POLICIES: StoredDocumentKind = {
  kind: 'policy',
  what: 'policy',
  command: 'chainloop policy',
  path: '/v1/policies',
  listKey: 'policies',
  tag: 'policies',
  notFound: 'POLICY_NOT_FOUND',
  revisionNotFound: 'POLICY_REVISION_NOT_FOUND',
  async check(body) {
    const { checkPolicyDocument } = await import('@chainloop-ts/core/policies');
    return checkPolicyDocument(body);
  },
  async summarize(body) {
    const { parsePolicyDocument } = await import('@chainloop-ts/core/contract');
    const document = parsePolicyDocument(body);
    const kinds = [...new Set(document.policies.flatMap((script) => (script.kind ? [script.kind] : [])))];
    return { ...(document.description !== undefined && { description: document.description }), kinds };
  },
};

const POLICY_GROUPS: StoredDocumentKind = {
  kind: 'policy-group',
  what: 'policy group',
  command: 'chainloop policy-group',
  path: '/v1/policy-groups',
  listKey: 'policyGroups',
  tag: 'policy groups',
  notFound: 'POLICY_GROUP_NOT_FOUND',
  revisionNotFound: 'POLICY_GROUP_REVISION_NOT_FOUND',
  async check(body) {
    const { checkPolicyGroupDocument } = await import('@chainloop-ts/core/policies');
    return checkPolicyGroupDocument(body);
  },
  async summarize(body) {
    const { parsePolicyGroupDocument } = await import('@chainloop-ts/core/contract');
    const group = parsePolicyGroupDocument(body);
    return group.description === undefined ? {} : { description: group.description };
  },
};

const summaryProperties = {
  name: { type: 'string', description: "the document's metadata.name, what contracts refer to" },
  revision: { type: 'integer' },
  digest: { type: 'string', description: "sha256:<hex> of the document's bytes (what @sha256: pins check)" },
  createdAt: { type: 'string', format: 'date-time' },
  description: { type: 'string' },
  kinds: {
    type: 'array',
    items: { type: 'string' },
    description: 'policies only: the material kinds its scripts evaluate (ATTESTATION: the statement)',
  },
} as const;

const storedSummarySchema = {
  type: 'object',
  required: ['name', 'revision', 'digest', 'createdAt'],
  properties: summaryProperties,
} as const;

const storedDocumentSchema = {
  type: 'object',
  required: ['name', 'revision', 'digest', 'createdAt', 'body'],
  properties: { ...summaryProperties, body: { type: 'string', description: 'the document exactly as uploaded' } },
} as const;

export function registerPolicyRoutes(app: FastifyInstance, context: ServerContext): void {
  registerStoredDocumentRoutes(app, context, POLICIES);
  registerStoredDocumentRoutes(app, context, POLICY_GROUPS);
}

function registerStoredDocumentRoutes(app: FastifyInstance, context: ServerContext, spec: StoredDocumentKind): void {
  const { repository } = context;
  const present = async (record: PolicyRevisionRecord) => ({
    name: record.name,
    revision: record.revision,
    digest: record.digest,
    createdAt: record.createdAt,
    // A document stored by an older release that this one no longer parses is still listed, without its details.
    ...(await spec.summarize(record.body).catch(() => ({}))),
  });

  app.post<{ Body: { body: string } }>(
    spec.path,
    {
      config: { access: 'admin' },
      schema: {
        summary: `Store a ${spec.what} (kind: ${spec.kind === 'policy' ? 'Policy' : 'PolicyGroup'}, YAML or JSON); a changed body becomes the next revision of its name, an unchanged one returns the latest`,
        tags: [spec.tag],
        body: {
          type: 'object',
          required: ['body'],
          additionalProperties: false,
          properties: {
            body: ruled(spec.what, 'send the document, YAML or JSON, kept verbatim; it may not be empty', {
              type: 'string',
              minLength: 1,
            }),
          },
        },
        response: withErrors({ 200: storedDocumentSchema, 201: storedDocumentSchema }),
      },
    },
    async (request, reply) => {
      const body = request.body.body;
      const { name } = await checked(spec, body);
      const { revision, created } = await repository.addPolicyRevision({
        kind: spec.kind,
        name,
        body,
        digest: `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`,
        createdAt: new Date().toISOString(),
      });
      return reply.code(created ? 201 : 200).send({ ...(await present(revision)), body: revision.body });
    },
  );

  app.get(
    spec.path,
    {
      // Robots read them too: crafting resolves a contract's `ref:` with the robot account token.
      config: { access: 'any' },
      schema: {
        summary: `The latest revision of every ${spec.what}, by name`,
        tags: [spec.tag],
        response: withErrors({
          200: {
            type: 'object',
            required: [spec.listKey],
            properties: { [spec.listKey]: { type: 'array', items: storedSummarySchema } },
          },
        }),
      },
    },
    async () => {
      const latest = await repository.listLatestPolicies(spec.kind);
      return { [spec.listKey]: await Promise.all(latest.map(present)) };
    },
  );

  app.get<{ Params: { name: string }; Querystring: { revision?: number } }>(
    `${spec.path}/:name`,
    {
      config: { access: 'any' },
      schema: {
        summary: `Get the latest revision of a ${spec.what}, or the given one, with its document`,
        tags: [spec.tag],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, description: `the ${spec.what}'s metadata.name` } },
        },
        querystring: {
          type: 'object',
          properties: {
            revision: ruled(`${spec.what} revision`, 'use a whole number of 1 or more', {
              type: 'integer',
              minimum: 1,
            }),
          },
        },
        response: withErrors({ 200: storedDocumentSchema }),
      },
    },
    async (request) => {
      const { name } = request.params;
      const { revision } = request.query;
      const found = await repository.getPolicyRevision(spec.kind, name, revision);
      if (found) return { ...(await present(found)), body: found.body };
      const latest = revision === undefined ? undefined : await repository.getPolicyRevision(spec.kind, name);
      if (!latest) {
        throw notFound(
          spec.notFound,
          `${spec.what} "${name}" not found in the control plane: store it with ${spec.command} create --file FILE (${spec.command} list shows the stored ones)`,
        );
      }
      throw notFound(
        spec.revisionNotFound,
        `${spec.what} "${name}" has no revision ${revision} (the latest is ${latest.revision}): ask for 1 to ${latest.revision}, or leave the revision out for the latest`,
      );
    },
  );
}

/** The document parsed and its rules compiled, or a 400 naming the path in it and the reason. */
async function checked(spec: StoredDocumentKind, body: string): Promise<{ name: string }> {
  try {
    return await spec.check(body);
  } catch (error) {
    if (!(error instanceof ChainloopError)) throw error;
    throw badRequest(error.code, `${error.message}: fix the document and send it again (${spec.command} create)`);
  }
}
