import type { FastifyInstance } from 'fastify';
import { badRequest, conflict, notFound } from '../http/api-error';
import { loadVisibleRun, type ServerContext } from '../http/context';
import { digestSchema, idParams, withErrors } from '../http/schemas';
import type { InspectedAttestation } from '../intake/inspect-attestation';
import { readBodyForTransfer } from '../intake/read-body';
import type { RunRecord } from '../storage/repository';
import { notActive } from './runs';

const storedSchema = { type: 'object', required: ['digest'], properties: { digest: digestSchema } } as const;

/**
 * `POST /v1/runs/:id/attestation`, in a context of its own: its body is taken as raw bytes and parsed, with the
 * bundle and its statement, on a worker thread (intake/), so that a maximal push never stalls other requests.
 */
export function registerAttestationIntake(app: FastifyInstance, context: ServerContext): void {
  const { repository, config } = context;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (_request, payload, done) => {
    readBodyForTransfer(payload, config.maxJsonBodyBytes).then(
      (body) => done(null, body),
      (error: Error) => done(error),
    );
  });

  const alreadyAttested = (run: RunRecord) =>
    conflict(
      'RUN_ALREADY_ATTESTED',
      `workflow run ${run.id} already has attestation ${run.attestationDigest}: start a new run to attest again`,
    );

  /**
   * A run that already succeeded answers a push of the same statement with the stored digest: the answer to the
   * first push may have been lost, and the retry is signed anew (another signature, same statement).
   */
  const answerForAttestedRun = async (run: RunRecord, pushed: InspectedAttestation): Promise<string> => {
    if (run.attestationDigest === pushed.digest) return pushed.digest;
    const stored = run.attestationDigest ? await repository.getAttestation(run.attestationDigest) : undefined;
    if (stored?.statementDigest && stored.statementDigest === pushed.statementDigest) return stored.digest;
    throw alreadyAttested(run);
  };

  app.post<{ Params: { id: string }; Body: Buffer }>(
    '/v1/runs/:id/attestation',
    {
      config: { access: 'any' },
      // The body is checked on the worker thread (the schema below documents it); the params by the route itself.
      validatorCompiler: () => () => true,
      schema: {
        summary:
          'Store the signed attestation bundle of the run and mark the run succeeded; the same statement pushed again answers 200 with the stored digest',
        tags: ['attestations'],
        params: idParams,
        body: {
          type: 'object',
          required: ['bundle'],
          additionalProperties: false,
          properties: { bundle: { type: 'string', minLength: 2, description: 'the bundle JSON, stored verbatim' } },
        },
        response: withErrors({ 200: storedSchema, 201: storedSchema }, [409, 413]),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      if (run.status !== 'initialized' && run.status !== 'succeeded') throw notActive(run);
      if (!Buffer.isBuffer(request.body)) {
        throw badRequest('INVALID_REQUEST', 'invalid body: send {"bundle": "<the bundle JSON>"} as application/json');
      }
      const workflow = await repository.getWorkflow(run.workflowId);
      if (!workflow) throw notFound('WORKFLOW_NOT_FOUND', `the workflow of run ${run.id} no longer exists`);
      const keys = run.status === 'initialized' ? await repository.listWorkflowKeys(workflow.id) : [];
      const pushed = await context.inspector.inspect({
        body: request.body,
        maxMaterials: config.maxMaterials,
        publicKeysPem: keys.map((key) => key.publicKeyPem),
        caChainPem: context.signingCa.chainPem.join(''),
      });
      if (run.status === 'succeeded') return reply.code(200).send({ digest: await answerForAttestedRun(run, pushed) });

      await context.verifier.verify(workflow, pushed, run);
      // What a statement says grants nothing: every material it marks as uploaded must be one this workflow's
      // robots uploaded (or the push could name another workflow's blob and read it through its own attestation).
      const unreadable = new Set(
        await repository.blobsNotUploadedBy(
          run.workflowId,
          pushed.casMaterials.map((material) => material.digest),
        ),
      );
      const missing = pushed.casMaterials.find((material) => unreadable.has(material.digest));
      if (missing) {
        throw badRequest(
          'MATERIAL_NOT_UPLOADED',
          `attestation refused: material "${missing.name}" (${missing.digest}) is marked as uploaded to the CAS but this workflow never uploaded it: add it again with chainloop attestation add, which uploads it`,
        );
      }
      const stored = await repository.storeAttestation({
        digest: pushed.digest,
        runId: run.id,
        workflowId: run.workflowId,
        bundle: pushed.bundle,
        createdAt: new Date().toISOString(),
        statementDigest: pushed.statementDigest,
        projectVersion: pushed.projectVersion,
      });
      if (!stored) {
        // Another push finished the run first (two retries racing, or an expiry or reset in between).
        const current = await loadVisibleRun(repository, request.principal, run.id);
        if (current.status !== 'succeeded') throw notActive(current);
        return reply.code(200).send({ digest: await answerForAttestedRun(current, pushed) });
      }
      return reply.code(201).send({ digest: pushed.digest });
    },
  );
}
