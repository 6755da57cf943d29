import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isDigest } from '../cas/backend';
import { ApiError, badRequest, conflict, notFound } from '../http/api-error';
import { loadVisibleRun, presentRun, resolveWorkflow, robotWorkflow, type ServerContext } from '../http/context';
import { digestSchema, idParams, RUNNER_TYPE_NAMES, ruled, runSchema, withErrors } from '../http/schemas';
import { describePolicies, type PoliciesView } from '../intake/policy-view';
import { type ResetTrigger, RUN_STATUSES, type RunFilter, type RunRecord, type RunStatus } from '../storage/repository';
import { registerAttestationIntake } from './attestation-intake';
import { policiesSchema } from './run-detail';

const attestationSchema = {
  type: 'object',
  required: ['digest', 'runId', 'workflowId', 'bundle', 'createdAt'],
  properties: {
    digest: digestSchema,
    runId: { type: 'string' },
    workflowId: { type: 'string' },
    bundle: { type: 'string', description: 'the stored bundle, byte for byte' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** A run as GET /v1/runs/:id answers it: with what its pushed statement records about policies. */
const runWithPoliciesSchema = {
  ...runSchema,
  properties: {
    ...runSchema.properties,
    policies: {
      ...policiesSchema,
      description: `${policiesSchema.description}; absent when the run has no attestation`,
    },
  },
} as const;

interface RunListQuery {
  workflow?: string;
  status?: RunStatus;
  runner?: string;
  version?: string;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

const TIME_RULE = 'use an RFC 3339 date-time with a time zone, e.g. 2026-05-01T00:00:00Z';

const runListQuerySchema = {
  type: 'object',
  properties: {
    workflow: { type: 'string', minLength: 1, description: 'workflow id or name' },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    runner: { type: 'string', enum: RUNNER_TYPE_NAMES, description: 'runner type, exact (e.g. GITHUB_ACTION)' },
    version: ruled('project version', 'use 1 to 256 characters, the --project-version the run was crafted with', {
      type: 'string',
      minLength: 1,
      maxLength: 256,
    }),
    since: ruled('since time (runs created at or after it)', TIME_RULE, { type: 'string', format: 'date-time' }),
    until: ruled('until time (runs created before it)', TIME_RULE, { type: 'string', format: 'date-time' }),
    limit: ruled('page size', 'use a whole number from 1 to 1000', {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
    }),
    offset: ruled('offset', 'use a whole number of 0 or more (runs to skip, newest first)', {
      type: 'integer',
      minimum: 0,
      default: 0,
    }),
  },
} as const;

/** A query time as runs store theirs (ISO-8601 UTC with milliseconds), so that text comparison is time order. */
function storedTime(value: string, field: 'since' | 'until'): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw badRequest('INVALID_REQUEST', `invalid querystring: ${field} "${value}" is not a valid time: ${TIME_RULE}`);
  }
  return time.toISOString();
}

/** ETags are sent quoted (RFC 9110); we store the opaque value without quotes. */
function parseEtag(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  return value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

export function notActive(run: RunRecord): ApiError {
  return conflict('RUN_NOT_ACTIVE', `workflow run ${run.id} is ${run.status}: start a new one with attestation init`);
}

export function registerRunRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository } = context;

  const workflowName = async (workflowId: string) => (await repository.getWorkflow(workflowId))?.name ?? '';

  /**
   * The policy evaluations the run's stored statement records, read on an inspection worker (a large bundle would
   * stall the event loop) without checking signatures; undefined when the run has no attestation or it is unreadable.
   */
  const recordedPolicies = async (run: RunRecord): Promise<PoliciesView | undefined> => {
    if (!run.attestationDigest) return undefined;
    const record = await repository.getAttestation(run.attestationDigest);
    if (!record) return undefined;
    try {
      const inspected = await context.inspector.inspect({
        body: Buffer.from(JSON.stringify({ bundle: record.bundle }), 'utf8'),
        maxMaterials: Number.MAX_SAFE_INTEGER,
        publicKeysPem: [],
        caChainPem: '',
        describe: true,
        checkSignatures: false,
      });
      return inspected.view?.policies ?? describePolicies(undefined);
    } catch (error) {
      // A stored bundle changed into something unreadable: the run is still there, its policies are unknown.
      if (error instanceof ApiError && error.status < 500) return undefined;
      throw error;
    }
  };

  app.get<{ Querystring: RunListQuery }>(
    '/v1/runs',
    {
      // The web UI's Runs and Workflows views read it with the session cookie (as the admin).
      config: { access: 'any', uiSession: true },
      schema: {
        summary:
          "List workflow runs, newest first, one page at a time; total counts every run the filters match (a robot account token lists its own workflow's runs only)",
        tags: ['runs'],
        querystring: runListQuerySchema,
        response: withErrors({
          200: {
            type: 'object',
            required: ['runs', 'total'],
            properties: {
              runs: { type: 'array', items: runSchema },
              total: { type: 'integer', description: 'runs matching the filters, all pages together' },
            },
          },
        }),
      },
    },
    async (request) => {
      const { principal, query } = request;
      const page = { limit: query.limit ?? 100, offset: query.offset ?? 0 };
      const filter: RunFilter = {
        status: query.status,
        runnerType: query.runner,
        projectVersion: query.version,
        since: query.since === undefined ? undefined : storedTime(query.since, 'since'),
        until: query.until === undefined ? undefined : storedTime(query.until, 'until'),
      };
      if (principal.kind === 'robot') {
        const own = await robotWorkflow(repository, principal);
        // Another workflow's name or id is "not found", exactly as a workflow that does not exist.
        if (query.workflow !== undefined && query.workflow !== own.id && query.workflow !== own.name) {
          throw notFound(
            'WORKFLOW_NOT_FOUND',
            `workflow "${query.workflow}" not found: a robot account lists its own workflow's runs only`,
          );
        }
        const mine = { ...filter, workflowId: own.id };
        const [runs, total] = await Promise.all([
          repository.listRuns({ ...mine, ...page }),
          repository.countRuns(mine),
        ]);
        return { runs: runs.map((run) => presentRun(run, own.name)), total };
      }
      const workflow = query.workflow ? await resolveWorkflow(repository, query.workflow) : undefined;
      const scoped = { ...filter, workflowId: workflow?.id };
      const [runs, total, workflows] = await Promise.all([
        repository.listRuns({ ...scoped, ...page }),
        repository.countRuns(scoped),
        workflow ? [workflow] : repository.listWorkflows(),
      ]);
      const names = new Map(workflows.map((item) => [item.id, item.name]));
      return { runs: runs.map((run) => presentRun(run, names.get(run.workflowId) ?? '')), total };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id',
    {
      config: { access: 'any', uiSession: true },
      schema: {
        summary: 'Get a workflow run, with the policy evaluations its pushed statement records (when it has one)',
        tags: ['runs'],
        params: idParams,
        response: withErrors({ 200: runWithPoliciesSchema }),
      },
    },
    async (request) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const [name, policies] = await Promise.all([workflowName(run.workflowId), recordedPolicies(run)]);
      return { ...presentRun(run, name), ...(policies && { policies }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/state',
    {
      config: { access: 'any' },
      schema: {
        summary: "Read the run's remote crafting state; the ETag header is needed to write it back",
        tags: ['remote state'],
        params: idParams,
        response: withErrors({ 200: { type: 'object', required: ['state'], properties: { state: {} } } }),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const state = await repository.getRunState(run.id);
      if (!state) {
        throw notFound(
          'STATE_NOT_FOUND',
          `workflow run ${run.id} has no remote state yet: run attestation init --remote-state`,
        );
      }
      reply.header('etag', `"${state.etag}"`);
      return { state: JSON.parse(state.document) };
    },
  );

  app.put<{ Params: { id: string }; Body: { state: unknown } }>(
    '/v1/runs/:id/state',
    {
      config: { access: 'any' },
      schema: {
        summary:
          'Write the remote crafting state: If-Match with the last ETag, or If-None-Match: * for the first write',
        tags: ['remote state'],
        params: idParams,
        headers: {
          type: 'object',
          properties: { 'if-match': { type: 'string' }, 'if-none-match': { type: 'string' } },
        },
        body: { type: 'object', required: ['state'], additionalProperties: false, properties: { state: {} } },
        response: withErrors(
          { 200: { type: 'object', required: ['etag'], properties: { etag: { type: 'string' } } } },
          [409, 428],
        ),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      if (run.status !== 'initialized') throw notActive(run);
      const ifMatch = parseEtag(request.headers['if-match']);
      const createOnly = parseEtag(request.headers['if-none-match']) === '*';
      if (ifMatch === undefined && !createOnly) {
        throw new ApiError(
          428,
          'PRECONDITION_REQUIRED',
          'writing remote state needs If-Match with the ETag you read, or If-None-Match: * for the first write',
        );
      }
      const etag = randomBytes(12).toString('hex');
      const stored = await repository.putRunState(
        { runId: run.id, document: JSON.stringify(request.body.state), etag, updatedAt: new Date().toISOString() },
        createOnly ? undefined : ifMatch,
      );
      if (!stored) {
        throw conflict(
          'STATE_CONFLICT',
          `the remote state of run ${run.id} changed since it was read: read it again, reapply the change and retry`,
        );
      }
      reply.header('etag', `"${etag}"`);
      return { etag: `"${etag}"` };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/runs/:id/state',
    {
      config: { access: 'any' },
      schema: {
        summary: "Delete the run's remote crafting state (after push or reset)",
        tags: ['remote state'],
        params: idParams,
        response: withErrors({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      await repository.deleteRunState(run.id);
      return reply.code(204).send();
    },
  );

  app.register(async (intake) => registerAttestationIntake(intake, context));

  app.post<{ Params: { id: string }; Body: { trigger: ResetTrigger; reason?: string } }>(
    '/v1/runs/:id/reset',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Mark the run failed or cancelled; a finished run is left as it is',
        tags: ['runs'],
        params: idParams,
        body: {
          type: 'object',
          required: ['trigger'],
          additionalProperties: false,
          properties: {
            trigger: { type: 'string', enum: ['failure', 'cancellation'] },
            reason: { type: 'string', maxLength: 4096 },
          },
        },
        response: withErrors({ 200: runSchema }),
      },
    },
    async (request) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const { trigger, reason } = request.body;
      await repository.finishRun(run.id, {
        status: trigger === 'failure' ? 'failed' : 'cancelled',
        finishedAt: new Date().toISOString(),
        trigger,
        reason: reason || undefined,
      });
      const current = await loadVisibleRun(repository, request.principal, run.id);
      return presentRun(current, await workflowName(current.workflowId));
    },
  );

  app.get<{ Params: { ref: string } }>(
    '/v1/attestations/:ref',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Get a stored attestation by its digest or by its run id',
        tags: ['attestations'],
        params: {
          type: 'object',
          required: ['ref'],
          properties: { ref: { type: 'string', minLength: 1, description: 'sha256:<hex> digest or run id' } },
        },
        response: withErrors({ 200: attestationSchema }),
      },
    },
    async (request) => {
      const { ref } = request.params;
      const principal = request.principal;
      let digest = ref;
      if (!isDigest(ref)) {
        const run = await loadVisibleRun(repository, principal, ref);
        if (!run.attestationDigest) {
          throw notFound('ATTESTATION_NOT_FOUND', `workflow run ${run.id} has no attestation (status ${run.status})`);
        }
        digest = run.attestationDigest;
      }
      const attestation = await repository.getAttestation(digest);
      if (!attestation || (principal.kind === 'robot' && attestation.workflowId !== principal.workflowId)) {
        throw notFound('ATTESTATION_NOT_FOUND', `attestation ${ref} not found: check the digest or run id`);
      }
      return attestation;
    },
  );
}
