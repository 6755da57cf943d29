/**
 * JSON schemas shared by the routes: they validate requests, shape responses (nothing outside a schema is ever
 * serialised, so internal fields such as token hashes cannot leak) and feed the OpenAPI document.
 */
import { type NameRule, shortNameRule, WORKFLOW_NAME_RULE } from '@chainloop-ts/core';
import { RUNNER_TYPES } from '@chainloop-ts/core/contract';
import { DIGEST_PATTERN } from '../cas/backend';
import { RUN_STATUSES } from '../storage/repository';

export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

/** What a field is and what a valid value of it is, in words: what a 400 answer for it says instead of the schema. */
export interface FieldRule {
  /** e.g. `workflow name`. */
  what: string;
  /** How to write a valid one, e.g. `use lowercase letters, …`. */
  rule: string;
}

const fieldRules = new WeakMap<object, FieldRule>();

/**
 * A field schema whose validation failures are answered as `FIELD "VALUE" is not a valid WHAT: RULE` rather than with
 * the validator's `must match pattern "^…$"`. The rule is also the field's description in the OpenAPI document.
 */
export function ruled<T extends object>(what: string, rule: string, schema: T): T & { description: string } {
  const field = { ...schema, description: `${what}: ${rule}` };
  fieldRules.set(field, { what, rule });
  return field;
}

/** The rule `ruled` attached to this field schema, if any. */
export function fieldRuleOf(schema: unknown): FieldRule | undefined {
  return typeof schema === 'object' && schema !== null ? fieldRules.get(schema) : undefined;
}

/** A name field checked by one of core's name rules (which the CLI checks too, before sending). */
function nameSchema(rule: NameRule) {
  return ruled(rule.what, rule.rule, {
    type: 'string',
    minLength: rule.minLength,
    maxLength: rule.maxLength,
    ...(rule.pattern && { pattern: rule.pattern.source }),
  } as const);
}

/** Workflow names are DNS-1123 labels, as the original's proto validation requires. */
export const workflowNameSchema = nameSchema(WORKFLOW_NAME_RULE);

/** A short free-text name (team, project, robot account, key): not empty, at most 200 characters. */
export function shortNameSchema(what: string) {
  return nameSchema(shortNameRule(what));
}

/** A contract revision number, as `workflow contract describe --revision` and `attestation init` take it. */
export const contractRevisionNumberSchema = ruled('contract revision', 'use a whole number of 1 or more', {
  type: 'integer',
  minimum: 1,
} as const);

/** The runner types a run records (`attestation init` detects one, or the generic fallback). */
export const RUNNER_TYPE_NAMES = [...RUNNER_TYPES, 'RUNNER_TYPE_UNSPECIFIED'];

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
    projectVersion: { type: 'string', description: "the pushed statement's metadata.projectVersion" },
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
