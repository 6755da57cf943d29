import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { conflict } from '../http/api-error';
import { loadVisibleRun, type ServerContext } from '../http/context';
import { idParams, withErrors } from '../http/schemas';
import { issueRunCertificate } from '../signing/signing-certificate';

const pemText = { type: 'string', minLength: 1, maxLength: 65_536 } as const;

/** Keyless signing: certificates for a run's ephemeral key, and the CA that verifiers trust. */
export function registerSigningRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository, signingCa, config } = context;

  app.post<{ Params: { id: string }; Body: { csr: string } }>(
    '/v1/runs/:id/signing-certificate',
    {
      config: { access: 'robot' },
      schema: {
        summary:
          "Certify a keyless signer's key for an initialized run: a short-lived code-signing certificate bound to the workflow, then the CA chain",
        tags: ['signing'],
        params: idParams,
        body: {
          type: 'object',
          required: ['csr'],
          additionalProperties: false,
          properties: { csr: { ...pemText, description: 'PKCS#10 certificate signing request, PEM' } },
        },
        response: withErrors(
          {
            201: {
              type: 'object',
              required: ['chain'],
              properties: {
                chain: {
                  type: 'array',
                  items: { type: 'string' },
                  description: 'PEM certificates: the leaf first, then the CA chain',
                },
              },
            },
          },
          [409],
        ),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      if (run.status !== 'initialized') {
        throw conflict(
          'RUN_NOT_ACTIVE',
          `workflow run ${run.id} is ${run.status}: signing certificates are issued for initialized runs only, start a new one with attestation init`,
        );
      }
      const chain = await issueRunCertificate(signingCa, request.body.csr, {
        workflowId: run.workflowId,
        validityMinutes: config.signingCertificateMinutes,
      });
      // The certificate names the workflow; which run it is for is recorded here, and checked when storing.
      const leaf = new X509Certificate(chain[0]);
      await repository.recordSigningCertificate({
        serial: leaf.serialNumber,
        runId: run.id,
        workflowId: run.workflowId,
        issuedAt: new Date(leaf.validFrom).toISOString(),
        expiresAt: new Date(leaf.validTo).toISOString(),
      });
      config.log?.write(
        'INF',
        `signing certificate ${leaf.serialNumber} issued for run ${run.id} of workflow ${run.workflowId}`,
      );
      return reply.code(201).send({ chain });
    },
  );

  app.get(
    '/v1/signing/ca',
    {
      config: { access: 'any' },
      schema: {
        summary: 'The CA certificate(s) keyless signing certificates chain to, for verifiers',
        tags: ['signing'],
        response: withErrors({
          200: {
            type: 'object',
            required: ['certificatePem'],
            properties: {
              certificatePem: { type: 'string', description: 'PEM: the issuing CA first, then any further chain' },
            },
          },
        }),
      },
    },
    async () => ({ certificatePem: signingCa.chainPem.join('') }),
  );
}
