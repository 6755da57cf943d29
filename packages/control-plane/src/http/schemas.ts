/**
 * JSON schemas shared by the routes: they validate requests, shape responses (nothing outside a schema is ever
 * serialised, so internal fields such as token hashes cannot leak) and feed the OpenAPI document.
 */
import { DIGEST_PATTERN } from '../cas/backend';
import { RUN_STATUSES } from '../storage/repository';

export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

export const digestSchema = { type: 'string', pattern: DIGEST_PATTERN } as const;

export const workflowSchema = {
  type: 'object',
  required: ['id', 'name', 'team', 'project', 'description', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    team: { type: 'string' },
    project: { type: 'string' },
    description: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const contractRevisionSchema = {
  type: 'object',
  required: ['workflowId', 'revision', 'body', 'format', 'createdAt'],
  properties: {
    workflowId: { type: 'string' },
    revision: { type: 'integer' },
    body: { type: 'string' },
    format: { type: 'string', enum: ['yaml', 'json'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const robotAccountSchema = {
  type: 'object',
  required: ['id', 'name', 'workflowId', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    workflowId: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time' },
    token: { type: 'string', description: 'only in the response that creates the account' },
  },
} as const;

export const runSchema = {
  type: 'object',
  required: ['id', 'workflowId', 'workflowName', 'status', 'runnerType', 'jobUrl', 'contractRevision', 'createdAt'],
  properties: {
    id: { type: 'string' },
    workflowId: { type: 'string' },
    workflowName: { type: 'string' },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    runnerType: { type: 'string' },
    jobUrl: { type: 'string' },
    contractRevision: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    trigger: { type: 'string', enum: ['failure', 'cancellation'] },
    reason: { type: 'string' },
    attestationDigest: digestSchema,
  },
} as const;

export const blobInfoSchema = {
  type: 'object',
  required: ['digest', 'size'],
  properties: { digest: digestSchema, size: { type: 'integer' } },
} as const;

export const workflowRefParams = {
  type: 'object',
  required: ['workflow'],
  properties: { workflow: { type: 'string', minLength: 1, description: 'workflow id or name' } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1 } },
} as const;

/** Error responses every authenticated route may give. */
export function withErrors(responses: Record<number, unknown>, statuses: number[] = []): Record<number, unknown> {
  const all = { ...responses } as Record<number, unknown>;
  for (const status of [400, 401, 403, 404, ...statuses]) all[status] = errorSchema;
  return all;
}
