import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../http/context';
import { ruled, withErrors } from '../http/schemas';
import type { Repository } from '../storage/repository';

/** The deployment setting that holds the organisation's policy strategy (`true`: ENFORCED). */
const BLOCK_ON_POLICY_VIOLATION = 'policies-block-on-violation';

/**
 * Chainloop's organisation setting `block_on_policy_violation`: when set, any policy violation blocks the push
 * (`ENFORCED`), not only a gated policy's (`ADVISORY`, the default). Kept in the database, so every control plane on
 * it answers the same.
 */
export async function blockOnPolicyViolation(repository: Repository): Promise<boolean> {
  return (await repository.readDeploymentSetting(BLOCK_ON_POLICY_VIOLATION)) === 'true';
}

const policySettingsSchema = {
  type: 'object',
  required: ['blockOnPolicyViolation'],
  properties: {
    blockOnPolicyViolation: {
      type: 'boolean',
      description:
        'true: any policy violation blocks attestation push (ENFORCED); false: only gated policies do (ADVISORY)',
    },
  },
} as const;

/** Organisation-wide settings: who may read them, and admins change them. */
export function registerSettingsRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository } = context;

  app.get(
    '/v1/settings/policies',
    {
      // Robots learn it anyway from GET /v1/crafting/contract.
      config: { access: 'any' },
      schema: {
        summary: "The organisation's policy strategy: whether any violation blocks a push (ENFORCED) or only gates do",
        tags: ['settings'],
        response: withErrors({ 200: policySettingsSchema }),
      },
    },
    async () => ({ blockOnPolicyViolation: await blockOnPolicyViolation(repository) }),
  );

  app.put<{ Body: { blockOnPolicyViolation: boolean } }>(
    '/v1/settings/policies',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Set the organisation's policy strategy (admin token); crafting reads it at attestation init",
        tags: ['settings'],
        body: {
          type: 'object',
          required: ['blockOnPolicyViolation'],
          additionalProperties: false,
          properties: {
            blockOnPolicyViolation: ruled('blockOnPolicyViolation', 'use true or false', { type: 'boolean' }),
          },
        },
        response: withErrors({ 200: policySettingsSchema }),
      },
    },
    async (request) => {
      const value = request.body.blockOnPolicyViolation;
      await repository.recordDeploymentSetting(
        BLOCK_ON_POLICY_VIOLATION,
        String(value),
        'replace',
        new Date().toISOString(),
      );
      return { blockOnPolicyViolation: value };
    },
  );
}
