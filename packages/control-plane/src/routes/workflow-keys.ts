import { createHash, randomUUID } from 'node:crypto';
import { ChainloopError } from '@chainloop-ts/core';
import { importPublicKeyPem, publicKeyPemOf } from '@chainloop-ts/core/attestation';
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, notFound } from '../http/api-error';
import { resolveWorkflow, type ServerContext } from '../http/context';
import { shortNameSchema, withErrors, workflowRefParams } from '../http/schemas';

const workflowKeySchema = {
  type: 'object',
  required: ['id', 'workflowId', 'name', 'fingerprint', 'publicKeyPem', 'createdAt'],
  properties: {
    id: { type: 'string' },
    workflowId: { type: 'string' },
    name: { type: 'string' },
    fingerprint: { type: 'string', description: 'sha256:<hex> of the SPKI DER' },
    publicKeyPem: { type: 'string', description: 'SPKI PEM' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** SPKI PEM and fingerprint of an uploaded public key; anything else is a 400 naming the problem. */
function normalisePublicKey(text: string): { publicKeyPem: string; fingerprint: string } {
  try {
    const key = importPublicKeyPem(text, 'public key');
    const spki = key.export({ type: 'spki', format: 'der' });
    return {
      publicKeyPem: publicKeyPemOf(key),
      fingerprint: `sha256:${createHash('sha256').update(spki).digest('hex')}`,
    };
  } catch (error) {
    if (error instanceof ChainloopError) throw badRequest('PUBLIC_KEY_INVALID', error.message);
    throw error;
  }
}

/** Public keys per workflow: once a workflow has any, its key-signed attestations must verify with one of them. */
export function registerWorkflowKeyRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository } = context;
  // The web UI manages keys with its session cookie too (state-changing requests with its CSRF token).
  const ui = { access: 'admin' as const, uiSession: true };

  app.post<{ Params: { workflow: string }; Body: { publicKeyPem: string; name?: string } }>(
    '/v1/workflows/:workflow/keys',
    {
      config: ui,
      schema: {
        summary: 'Register a public key (SPKI PEM, e.g. cosign.pub); the same key again returns the registered one',
        tags: ['workflow keys'],
        params: workflowRefParams,
        body: {
          type: 'object',
          required: ['publicKeyPem'],
          additionalProperties: false,
          properties: {
            publicKeyPem: { type: 'string', minLength: 1, maxLength: 65_536 },
            name: shortNameSchema('key name'),
          },
        },
        response: withErrors({ 200: workflowKeySchema, 201: workflowKeySchema }),
      },
    },
    async (request, reply) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const { publicKeyPem, fingerprint } = normalisePublicKey(request.body.publicKeyPem);
      const key = {
        id: randomUUID(),
        workflowId: workflow.id,
        name: request.body.name ?? `key-${fingerprint.slice(7, 19)}`,
        publicKeyPem,
        fingerprint,
        createdAt: new Date().toISOString(),
      };
      if (await repository.addWorkflowKey(key)) return reply.code(201).send(key);
      const existing = (await repository.listWorkflowKeys(workflow.id)).find(
        (item) => item.fingerprint === fingerprint,
      );
      if (!existing) throw new ApiError(500, 'INTERNAL', 'workflow key vanished while registering it');
      return reply.code(200).send(existing);
    },
  );

  app.get<{ Params: { workflow: string } }>(
    '/v1/workflows/:workflow/keys',
    {
      config: ui,
      schema: {
        summary: "List the workflow's registered public keys",
        tags: ['workflow keys'],
        params: workflowRefParams,
        response: withErrors({
          200: {
            type: 'object',
            required: ['keys'],
            properties: { keys: { type: 'array', items: workflowKeySchema } },
          },
        }),
      },
    },
    async (request) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      return { keys: await repository.listWorkflowKeys(workflow.id) };
    },
  );

  app.delete<{ Params: { workflow: string; id: string } }>(
    '/v1/workflows/:workflow/keys/:id',
    {
      config: ui,
      schema: {
        summary: 'Remove a registered public key; attestations it signed stay stored',
        tags: ['workflow keys'],
        params: {
          type: 'object',
          required: ['workflow', 'id'],
          properties: { workflow: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } },
        },
        response: withErrors({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      if (!(await repository.removeWorkflowKey(workflow.id, request.params.id))) {
        throw notFound(
          'WORKFLOW_KEY_NOT_FOUND',
          `key ${request.params.id} is not registered for workflow "${workflow.name}": list them with chainloop workflow key list`,
        );
      }
      return reply.code(204).send();
    },
  );
}
