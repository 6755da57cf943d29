import { randomUUID } from 'node:crypto';
import { parseContract } from '@chainloop-ts/core/contract';
import { checkContractPolicies } from '@chainloop-ts/core/policies';
import type { FastifyInstance } from 'fastify';
import { generateToken, hashToken } from '../auth/tokens';
import { ApiError, badRequest, conflict, notFound } from '../http/api-error';
import { presentRobotAccount, resolveWorkflow, type ServerContext } from '../http/context';
import {
  contractRevisionNumberSchema,
  contractRevisionSchema,
  robotAccountSchema,
  ruled,
  shortNameSchema,
  withErrors,
  workflowNameSchema,
  workflowRefParams,
  workflowSchema,
} from '../http/schemas';
import { type ContractFormat, RUN_STATUSES, type RunStatus } from '../storage/repository';

/** Every new workflow starts at revision 1 with an empty contract, as the original does; uploads follow as 2, 3, … */
export const EMPTY_CONTRACT = 'schemaVersion: v1\n';

export function contractFormat(body: string): ContractFormat {
  return body.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/**
 * Rejects a contract the shared parser refuses, or whose policies would fail in every CI job (an embedded policy's
 * CEL that does not compile, a builtin:// ref naming no built-in policy), with its path and reason.
 */
export function validateContract(body: string): void {
  try {
    checkContractPolicies(parseContract(body));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badRequest('CONTRACT_INVALID', message);
  }
}

type DayActivity = { date: string } & Record<RunStatus, number>;

const emptyDay = (date: string): DayActivity => ({
  date,
  initialized: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  expired: 0,
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** `count` UTC dates (YYYY-MM-DD), oldest first, the last one `now`'s. */
export function utcDaysEndingToday(count: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, index) =>
    new Date(today - (count - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}

const runCountProperties = Object.fromEntries(RUN_STATUSES.map((status) => [status, { type: 'integer' }]));

const activitySchema = {
  type: 'object',
  required: ['days', 'workflows'],
  properties: {
    days: {
      type: 'array',
      description: 'UTC dates (YYYY-MM-DD), oldest first, ending today',
      items: { type: 'string', format: 'date' },
    },
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['workflowId', 'runsInPeriod', 'perDay'],
        properties: {
          workflowId: { type: 'string' },
          latestRun: {
            type: 'object',
            description: "the workflow's newest run, whenever it was; absent when it has none",
            required: ['id', 'status', 'createdAt'],
            properties: {
              id: { type: 'string' },
              status: { type: 'string', enum: [...RUN_STATUSES] },
              createdAt: { type: 'string', format: 'date-time' },
            },
          },
          runsInPeriod: { type: 'integer' },
          perDay: {
            type: 'array',
            description: 'one entry per date of `days`, in the same order',
            items: {
              type: 'object',
              required: ['date', ...RUN_STATUSES],
              properties: { date: { type: 'string', format: 'date' }, ...runCountProperties },
            },
          },
        },
      },
    },
  },
} as const;

export function registerWorkflowRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository } = context;
  const admin = { access: 'admin' as const };
  // Routes the web UI calls with its session cookie too (state-changing ones with its CSRF token).
  const ui = { access: 'admin' as const, uiSession: true };

  app.post<{ Body: { name: string; team: string; project: string; description?: string } }>(
    '/v1/workflows',
    {
      config: admin,
      schema: {
        summary: 'Create a workflow (with an empty contract as revision 1)',
        tags: ['workflows'],
        body: {
          type: 'object',
          required: ['name', 'team', 'project'],
          additionalProperties: false,
          properties: {
            name: workflowNameSchema,
            team: shortNameSchema('team name'),
            project: shortNameSchema('project name'),
            description: ruled('description', 'use at most 2000 characters', { type: 'string', maxLength: 2000 }),
          },
        },
        response: withErrors({ 201: workflowSchema }, [409]),
      },
    },
    async (request, reply) => {
      const now = new Date().toISOString();
      const workflow = {
        id: randomUUID(),
        name: request.body.name,
        team: request.body.team,
        project: request.body.project,
        description: request.body.description ?? '',
        createdAt: now,
      };
      const created = await repository.createWorkflow(workflow, {
        workflowId: workflow.id,
        revision: 1,
        body: EMPTY_CONTRACT,
        format: 'yaml',
        createdAt: now,
      });
      if (!created) {
        throw conflict(
          'WORKFLOW_EXISTS',
          `workflow "${workflow.name}" already exists in project "${workflow.project}": pick another name or use the existing one`,
        );
      }
      return reply.code(201).send(workflow);
    },
  );

  app.get(
    '/v1/workflows',
    {
      // The web UI's Workflows view reads it with the session cookie.
      config: { ...admin, uiSession: true },
      schema: {
        summary: 'List workflows',
        tags: ['workflows'],
        response: withErrors({
          200: {
            type: 'object',
            required: ['workflows'],
            properties: { workflows: { type: 'array', items: workflowSchema } },
          },
        }),
      },
    },
    async () => ({ workflows: await repository.listWorkflows() }),
  );

  app.get<{ Querystring: { days?: number } }>(
    '/v1/workflows/activity',
    {
      // Static, so it is matched before /v1/workflows/:workflow (a workflow named "activity" is read by its id).
      config: ui,
      schema: {
        summary:
          "Every workflow's latest run and its runs per UTC day and status over the last `days` days (today included)",
        tags: ['workflows'],
        querystring: {
          type: 'object',
          properties: {
            days: ruled('number of days', 'use a whole number from 1 to 90', {
              type: 'integer',
              minimum: 1,
              maximum: 90,
              default: 7,
            }),
          },
        },
        response: withErrors({ 200: activitySchema }),
      },
    },
    async (request) => {
      const days = utcDaysEndingToday(request.query.days ?? 7, new Date());
      const [workflows, counts, latest] = await Promise.all([
        repository.listWorkflows(),
        repository.countRunsPerDay(`${days[0]}T00:00:00.000Z`),
        repository.latestRuns(),
      ]);
      const latestByWorkflow = new Map(latest.map((run) => [run.workflowId, run]));
      const perWorkflow = new Map<string, Map<string, DayActivity>>();
      for (const count of counts) {
        let byDay = perWorkflow.get(count.workflowId);
        if (!byDay) {
          byDay = new Map(days.map((date) => [date, emptyDay(date)]));
          perWorkflow.set(count.workflowId, byDay);
        }
        // A run stamped after today (another replica's clock ahead) is outside the period asked for.
        const day = byDay.get(count.day);
        if (day) day[count.status] += count.count;
      }
      return {
        days,
        workflows: workflows.map((workflow) => {
          const perDay = [...(perWorkflow.get(workflow.id)?.values() ?? days.map(emptyDay))];
          const run = latestByWorkflow.get(workflow.id);
          return {
            workflowId: workflow.id,
            ...(run && { latestRun: { id: run.id, status: run.status, createdAt: run.createdAt } }),
            runsInPeriod: perDay.reduce(
              (sum, day) => sum + RUN_STATUSES.reduce((all, status) => all + day[status], 0),
              0,
            ),
            perDay,
          };
        }),
      };
    },
  );

  app.get<{ Params: { workflow: string } }>(
    '/v1/workflows/:workflow',
    {
      config: ui,
      schema: {
        summary: 'Get a workflow by id or name',
        tags: ['workflows'],
        params: workflowRefParams,
        response: withErrors({ 200: workflowSchema }),
      },
    },
    async (request) => resolveWorkflow(repository, request.params.workflow),
  );

  app.put<{ Params: { workflow: string }; Body: { body: string } }>(
    '/v1/workflows/:workflow/contract',
    {
      config: admin,
      schema: {
        summary: 'Upload a contract; a changed body becomes the next revision',
        tags: ['contracts'],
        params: workflowRefParams,
        body: {
          type: 'object',
          required: ['body'],
          additionalProperties: false,
          properties: {
            body: ruled('contract', 'send the contract, YAML or JSON, kept verbatim; it may not be empty', {
              type: 'string',
              minLength: 1,
            }),
          },
        },
        response: withErrors({ 200: contractRevisionSchema, 201: contractRevisionSchema }),
      },
    },
    async (request, reply) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const body = request.body.body;
      validateContract(body);
      const { revision, created } = await repository.addContractRevision(
        workflow.id,
        body,
        contractFormat(body),
        new Date().toISOString(),
      );
      return reply.code(created ? 201 : 200).send(revision);
    },
  );

  app.get<{ Params: { workflow: string } }>(
    '/v1/workflows/:workflow/contract/revisions',
    {
      config: ui,
      schema: {
        summary: "Every revision of the workflow's contract, oldest first",
        tags: ['contracts'],
        params: workflowRefParams,
        response: withErrors({
          200: {
            type: 'object',
            required: ['revisions'],
            properties: { revisions: { type: 'array', items: contractRevisionSchema } },
          },
        }),
      },
    },
    async (request) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      return { revisions: await repository.listContractRevisions(workflow.id) };
    },
  );

  app.get<{ Params: { workflow: string }; Querystring: { revision?: number } }>(
    '/v1/workflows/:workflow/contract',
    {
      config: ui,
      schema: {
        summary: 'Get the latest contract revision, or the given one',
        tags: ['contracts'],
        params: workflowRefParams,
        querystring: { type: 'object', properties: { revision: contractRevisionNumberSchema } },
        response: withErrors({ 200: contractRevisionSchema }),
      },
    },
    async (request) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const revision = await repository.getContractRevision(workflow.id, request.query.revision);
      if (!revision) {
        throw notFound(
          'CONTRACT_REVISION_NOT_FOUND',
          `workflow "${workflow.name}" has no contract revision ${request.query.revision}: describe it without --revision to see the latest`,
        );
      }
      return revision;
    },
  );

  app.post<{ Params: { workflow: string }; Body: { name?: string } }>(
    '/v1/workflows/:workflow/robot-accounts',
    {
      config: ui,
      schema: {
        summary: 'Create a robot account for the workflow; the token is in this response only',
        tags: ['robot accounts'],
        params: workflowRefParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: shortNameSchema('robot account name') },
        },
        response: withErrors({ 201: robotAccountSchema }),
      },
    },
    async (request, reply) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const token = generateToken('robot');
      const account = {
        id: randomUUID(),
        name: request.body?.name ?? `${workflow.name}-robot`,
        workflowId: workflow.id,
        createdAt: new Date().toISOString(),
        tokenHash: hashToken(token),
      };
      await repository.createRobotAccount(account);
      return reply.code(201).send({ ...presentRobotAccount(account), token });
    },
  );

  app.get<{ Params: { workflow: string } }>(
    '/v1/workflows/:workflow/robot-accounts',
    {
      config: ui,
      schema: {
        summary: "List the workflow's robot accounts (never their tokens)",
        tags: ['robot accounts'],
        params: workflowRefParams,
        response: withErrors({
          200: {
            type: 'object',
            required: ['robotAccounts'],
            properties: { robotAccounts: { type: 'array', items: robotAccountSchema } },
          },
        }),
      },
    },
    async (request) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const accounts = await repository.listRobotAccounts(workflow.id);
      return { robotAccounts: accounts.map(presentRobotAccount) };
    },
  );

  app.delete<{ Params: { workflow: string; id: string } }>(
    '/v1/workflows/:workflow/robot-accounts/:id',
    {
      config: ui,
      schema: {
        summary: 'Revoke a robot account; its token stops working at once',
        tags: ['robot accounts'],
        params: {
          type: 'object',
          required: ['workflow', 'id'],
          properties: { workflow: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } },
        },
        response: withErrors({ 200: robotAccountSchema }),
      },
    },
    async (request) => {
      const workflow = await resolveWorkflow(repository, request.params.workflow);
      const existing = await repository.getRobotAccount(request.params.id);
      if (!existing || existing.workflowId !== workflow.id) {
        throw notFound(
          'ROBOT_ACCOUNT_NOT_FOUND',
          `robot account ${request.params.id} not found in workflow "${workflow.name}": check --id and --workflow`,
        );
      }
      const revoked = await repository.revokeRobotAccount(existing.id, new Date().toISOString());
      if (!revoked) throw new ApiError(500, 'INTERNAL', 'robot account vanished while revoking it');
      return presentRobotAccount(revoked);
    },
  );
}
