import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../http/api-error';
import { presentRun, robotWorkflow, type ServerContext } from '../http/context';
import {
  contractRevisionNumberSchema,
  contractRevisionSchema,
  RUNNER_TYPE_NAMES,
  runSchema,
  withErrors,
  workflowSchema,
} from '../http/schemas';
import { blockOnPolicyViolation } from './settings';

/** What a robot account does during init: learn its workflow, fetch the contract, open a run. */
export function registerCraftingRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository } = context;

  app.get(
    '/v1/whoami',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Who the token belongs to: an admin, or a robot account and its workflow',
        tags: ['crafting'],
        response: withErrors({
          200: {
            type: 'object',
            required: ['kind'],
            properties: { kind: { type: 'string', enum: ['admin', 'robot'] }, workflow: workflowSchema },
          },
        }),
      },
    },
    async (request) => {
      if (request.principal.kind === 'admin') return { kind: 'admin' };
      return { kind: 'robot', workflow: await robotWorkflow(repository, request.principal) };
    },
  );

  app.get<{ Querystring: { revision?: number } }>(
    '/v1/crafting/contract',
    {
      config: { access: 'robot' },
      schema: {
        summary: "The robot account's workflow and its contract (latest, or the given revision)",
        tags: ['crafting'],
        querystring: { type: 'object', properties: { revision: contractRevisionNumberSchema } },
        response: withErrors({
          200: {
            type: 'object',
            required: ['workflow', 'contract', 'blockOnPolicyViolation'],
            properties: {
              workflow: workflowSchema,
              contract: contractRevisionSchema,
              blockOnPolicyViolation: {
                type: 'boolean',
                description:
                  "the organisation's policy strategy (Chainloop's block_on_policy_violation): true, any violation blocks the push (ENFORCED)",
              },
            },
          },
        }),
      },
    },
    async (request) => {
      const workflow = await robotWorkflow(repository, request.principal);
      const [contract, blocks] = await Promise.all([
        repository.getContractRevision(workflow.id, request.query.revision),
        blockOnPolicyViolation(repository),
      ]);
      if (!contract) {
        throw notFound(
          'CONTRACT_REVISION_NOT_FOUND',
          `workflow "${workflow.name}" has no contract revision ${request.query.revision}: drop --contract-revision to use the latest`,
        );
      }
      return { workflow, contract, blockOnPolicyViolation: blocks };
    },
  );

  app.post<{ Body: { contractRevision: number; runnerType: string; jobUrl?: string } }>(
    '/v1/crafting/runs',
    {
      config: { access: 'robot' },
      schema: {
        summary: "Open a workflow run (attestation init) on the robot account's workflow",
        tags: ['crafting'],
        body: {
          type: 'object',
          required: ['contractRevision', 'runnerType'],
          additionalProperties: false,
          properties: {
            contractRevision: contractRevisionNumberSchema,
            runnerType: { type: 'string', enum: RUNNER_TYPE_NAMES },
            jobUrl: { type: 'string', maxLength: 4096 },
          },
        },
        response: withErrors({ 201: runSchema }),
      },
    },
    async (request, reply) => {
      const workflow = await robotWorkflow(repository, request.principal);
      const { contractRevision, runnerType, jobUrl } = request.body;
      if (!(await repository.getContractRevision(workflow.id, contractRevision))) {
        throw badRequest(
          'CONTRACT_REVISION_NOT_FOUND',
          `workflow "${workflow.name}" has no contract revision ${contractRevision}: init with an existing revision`,
        );
      }
      const run = {
        id: randomUUID(),
        workflowId: workflow.id,
        status: 'initialized' as const,
        runnerType,
        jobUrl: jobUrl ?? '',
        contractRevision,
        createdAt: new Date().toISOString(),
      };
      await repository.createRun(run);
      return reply.code(201).send(presentRun(run, workflow.name));
    },
  );
}
