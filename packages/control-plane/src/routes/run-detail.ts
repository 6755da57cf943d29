import type { FastifyInstance, FastifyReply } from 'fastify';
import { isDigest } from '../cas/backend';
import { ApiError, notFound } from '../http/api-error';
import { loadVisibleRun, presentRun, type ServerContext } from '../http/context';
import { digestSchema, idParams, runSchema, withErrors } from '../http/schemas';
import type { InspectedAttestation } from '../intake/inspect-attestation';
import { describePolicies } from '../intake/policy-view';
import { isObject } from '../intake/statement-payload';
import type { MaterialView } from '../intake/statement-view';
import { type SignatureAssessment, SignatureVerifier } from '../signing/signature-verifier';
import type { AttestationRecord, RunRecord, WorkflowRecord } from '../storage/repository';

/** A stored attestation inspected again now: with today's registered keys and CA. */
interface CheckedAttestation {
  record: AttestationRecord;
  /** Undefined when the stored bundle cannot be inspected at all (not JSON, …): `assessment` says why. */
  inspected?: InspectedAttestation;
  assessment: SignatureAssessment;
}

/** The file that verifies a stored attestation offline, and the `chainloop attestation verify` option that takes it. */
interface VerificationMaterial {
  fileName: string;
  contentType: string;
  text: string;
  option: '--key' | '--cert-chain';
}

const stringRecord = { type: 'object', additionalProperties: { type: 'string' } } as const;

/**
 * The policy evaluations the pushed statement records (`predicate.policyEvaluations` and the `policy*` flags), as
 * untrusted text: the control plane checks nothing about policies, they ran in CI.
 */
export const policiesSchema = {
  type: 'object',
  description:
    'what the signed statement records about policies (evaluated in CI, not checked here); a statement without any has an empty list',
  required: ['hasViolations', 'blockingStrategy', 'bypassed', 'attBlocked', 'evaluations'],
  properties: {
    hasViolations: { type: 'boolean', description: 'policyHasViolations' },
    blockingStrategy: {
      type: 'string',
      description: 'policyCheckBlockingStrategy: ADVISORY or ENFORCED; empty when the statement records none',
    },
    bypassed: { type: 'boolean', description: 'policyBlockBypassEnabled: pushed with --exception-bypass-policy-check' },
    attBlocked: { type: 'boolean', description: 'policyAttBlocked' },
    evaluations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['materialName', 'name', 'gate', 'skipped', 'skipReasons', 'violations'],
        properties: {
          materialName: { type: 'string', description: 'empty for attestation-level policies (CHAINLOOP.ATTESTATION)' },
          name: { type: 'string', description: "the policy's name" },
          reference: {
            type: 'object',
            description: 'absent for a policy embedded in the contract',
            required: ['uri', 'digest'],
            properties: { uri: { type: 'string' }, digest: { type: 'string', description: 'sha256:<hex>' } },
          },
          group: { type: 'string', description: 'the policy group that attached it' },
          gate: { type: 'boolean' },
          skipped: { type: 'boolean' },
          skipReasons: { type: 'array', items: { type: 'string' } },
          violations: {
            type: 'array',
            items: {
              type: 'object',
              required: ['subject', 'message'],
              properties: { subject: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

const detailSchema = {
  type: 'object',
  required: ['run', 'timeline'],
  properties: {
    run: runSchema,
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        required: ['event', 'at'],
        properties: {
          event: { type: 'string', enum: ['initialized', 'pushed', 'failed', 'cancelled', 'expired'] },
          at: { type: 'string', format: 'date-time' },
          reason: { type: 'string' },
        },
      },
    },
    attestation: {
      type: 'object',
      description: 'absent when the run has no attestation',
      required: ['digest', 'createdAt', 'statement', 'materials', 'env', 'annotations', 'policies'],
      properties: {
        digest: digestSchema,
        createdAt: { type: 'string', format: 'date-time' },
        statement: {
          type: 'string',
          description: 'the DSSE payload of the stored bundle decoded as UTF-8, exactly as signed',
        },
        materials: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'kind', 'digest', 'downloadable', 'annotations'],
            properties: {
              name: { type: 'string' },
              kind: { type: 'string' },
              value: { type: 'string', description: 'STRING materials: the decoded content' },
              fileName: { type: 'string' },
              imageName: { type: 'string' },
              digest: { type: 'string', description: 'sha256:<hex>' },
              size: { type: 'integer', description: 'CAS blobs: the size the CAS holds' },
              downloadable: {
                type: 'boolean',
                description: 'uploaded to the CAS (chainloop.material.cas) and the blob is there: GET /v1/cas/{digest}',
              },
              annotations: { ...stringRecord, description: 'without the chainloop.material.* keys' },
            },
          },
        },
        env: stringRecord,
        annotations: stringRecord,
        runnerUrl: { type: 'string' },
        policies: policiesSchema,
      },
    },
    verification: {
      type: 'object',
      description: 'the stored bundle checked now, with the registered keys and the CA; absent without attestation',
      required: ['verified', 'signer'],
      properties: {
        verified: { type: 'boolean' },
        signer: {
          type: 'object',
          description:
            'kind key: keyId, keyName, fingerprint of the registered key it verified with; kind certificate: subject, issuer, serial, notBefore, notAfter of the signing certificate; kind unknown: nothing',
          required: ['kind'],
          properties: {
            kind: { type: 'string', enum: ['key', 'certificate', 'unknown'] },
            keyId: { type: 'string' },
            keyName: { type: 'string' },
            fingerprint: { type: 'string' },
            subject: { type: 'string' },
            issuer: { type: 'string' },
            serial: { type: 'string' },
            notBefore: { type: 'string', format: 'date-time' },
            notAfter: { type: 'string', format: 'date-time' },
          },
        },
        reason: { type: 'string', description: 'why it is not verified, in one line' },
      },
    },
    offlineVerification: {
      type: 'object',
      required: ['command', 'materialFileName'],
      properties: {
        command: { type: 'string' },
        materialFileName: {
          type: 'string',
          description: 'the key or CA file the command names: GET /v1/runs/{id}/verification-material',
        },
      },
    },
  },
} as const;

const download = (description: string, contentType: string) => ({
  description,
  content: { [contentType]: { schema: { type: 'string' } } },
});

/** `attachment; filename="…"` for names made of safe characters only (see safeFileName). */
const attachment = (fileName: string) => `attachment; filename="${fileName}"`;

/** A registered key's name as a file name: letters, digits, `.`, `_` and `-` only, never empty or hidden. */
export function safeFileName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  return safe === '' ? 'workflow-key' : safe;
}

export const bundleFileName = (runId: string) => `attestation-${runId}.sigstore.json`;
export const envelopeFileName = (runId: string) => `attestation-${runId}.dsse.json`;
export const CA_CHAIN_FILE_NAME = 'chainloop-ca.pem';

/**
 * What the web UI's run detail reads: the run, its timeline, its attestation as stored (statement, materials, env,
 * annotations), whether the stored bundle verifies now, and the downloads (bundle, envelope, verification material).
 */
export function registerRunDetailRoutes(app: FastifyInstance, context: ServerContext): void {
  const { repository, cas, signingCa } = context;
  const verifier = new SignatureVerifier(repository, signingCa);
  const ui = { access: 'admin' as const, uiSession: true };

  const noAttestation = (run: RunRecord) =>
    notFound(
      'ATTESTATION_NOT_FOUND',
      `workflow run ${run.id} has no attestation (status ${run.status}): only a pushed run has one`,
    );

  const runWorkflow = async (run: RunRecord) => {
    const workflow = await repository.getWorkflow(run.workflowId);
    if (!workflow) throw notFound('WORKFLOW_NOT_FOUND', `the workflow of run ${run.id} no longer exists`);
    return workflow;
  };

  /** The run's stored attestation, checked now; undefined when it has none. */
  const checkStored = async (
    run: RunRecord,
    workflow: WorkflowRecord,
    describe: boolean,
  ): Promise<CheckedAttestation | undefined> => {
    if (!run.attestationDigest) return undefined;
    const record = await repository.getAttestation(run.attestationDigest);
    if (!record) return undefined;
    const keys = await repository.listWorkflowKeys(workflow.id);
    let inspected: InspectedAttestation;
    try {
      inspected = await context.inspector.inspect({
        body: Buffer.from(JSON.stringify({ bundle: record.bundle }), 'utf8'),
        // Stored once already: a limit lowered since then does not hide it.
        maxMaterials: Number.MAX_SAFE_INTEGER,
        publicKeysPem: keys.map((key) => key.publicKeyPem),
        caChainPem: signingCa.chainPem.join(''),
        describe,
      });
    } catch (error) {
      // A stored bundle changed into something unreadable is "not verified, because …", never a server error.
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      return { record, assessment: { verified: false, signer: { kind: 'unknown' }, reason: error.message } };
    }
    const assessment = await verifier.assess(workflow, inspected, run, keys);
    if (assessment.verified && inspected.digest !== record.digest) {
      // The signature still holds but the bytes are not the ones stored under this digest (changed in the database).
      const { key: _dropped, ...rest } = assessment;
      return {
        record,
        inspected,
        assessment: {
          ...rest,
          verified: false,
          reason: `the stored bundle no longer hashes to its digest ${record.digest} (it hashes to ${inspected.digest}): it was changed after it was stored`,
        },
      };
    }
    return { record, inspected, assessment };
  };

  const verificationMaterial = (checked: CheckedAttestation): VerificationMaterial | undefined => {
    const { assessment } = checked;
    if (assessment.signer.kind === 'key' && assessment.key) {
      return {
        fileName: `${safeFileName(assessment.key.name)}.pub`,
        contentType: 'application/x-pem-file',
        text: assessment.key.publicKeyPem,
        option: '--key',
      };
    }
    if (assessment.signer.kind === 'certificate') {
      return {
        fileName: CA_CHAIN_FILE_NAME,
        contentType: 'application/x-pem-file',
        text: signingCa.chainPem.join(''),
        option: '--cert-chain',
      };
    }
    return undefined;
  };

  /** Size and presence in the CAS of the materials marked as uploaded; a CAS that does not answer leaves them unknown. */
  const withCasFacts = async (materials: MaterialView[]) => {
    const facts = new Map<string, { size: number } | undefined>();
    const wanted = [
      ...new Set(materials.filter((item) => item.cas && isDigest(item.digest)).map((item) => item.digest)),
    ];
    for (let start = 0; start < wanted.length; start += 16) {
      await Promise.all(
        wanted.slice(start, start + 16).map(async (digest) => {
          facts.set(digest, await cas.stat(digest).catch(() => undefined));
        }),
      );
    }
    return materials.map(({ cas: uploaded, ...material }) => {
      const blob = uploaded ? facts.get(material.digest) : undefined;
      return { ...material, ...(blob && { size: blob.size }), downloadable: blob !== undefined };
    });
  };

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/detail',
    {
      config: ui,
      schema: {
        summary:
          'A run with its timeline, its stored attestation (statement, materials, env, annotations, policy evaluations) and whether the stored bundle verifies now',
        tags: ['runs'],
        params: idParams,
        response: withErrors({ 200: detailSchema }),
      },
    },
    async (request) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const workflow = await runWorkflow(run);
      const checked = await checkStored(run, workflow, true);
      const detail: Record<string, unknown> = {
        run: presentRun(run, workflow.name),
        timeline: timelineOf(run, checked?.record),
      };
      if (!checked) return detail;
      const view = checked.inspected?.view;
      detail.attestation = {
        digest: checked.record.digest,
        createdAt: checked.record.createdAt,
        statement: view?.statement ?? '',
        materials: await withCasFacts(view?.materials ?? []),
        env: view?.env ?? {},
        annotations: view?.annotations ?? {},
        ...(view?.runnerUrl && { runnerUrl: view.runnerUrl }),
        policies: view?.policies ?? describePolicies(undefined),
      };
      const { key: _key, ...verification } = checked.assessment;
      detail.verification = verification;
      const material = verificationMaterial(checked);
      if (material) {
        detail.offlineVerification = {
          command: `chainloop attestation verify ${bundleFileName(run.id)} ${material.option} ${material.fileName}`,
          materialFileName: material.fileName,
        };
      }
      return detail;
    },
  );

  const storedRecord = async (run: RunRecord) => {
    const record = run.attestationDigest ? await repository.getAttestation(run.attestationDigest) : undefined;
    if (!record) throw noAttestation(run);
    return record;
  };

  const sendFile = (reply: FastifyReply, fileName: string, contentType: string, bytes: Buffer) =>
    reply
      .header('content-type', contentType)
      .header('content-disposition', attachment(fileName))
      .header('cache-control', 'no-store')
      .send(bytes);

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/bundle',
    {
      config: ui,
      schema: {
        summary: "Download the run's stored Sigstore bundle, byte for byte (attestation-<run>.sigstore.json)",
        tags: ['attestations'],
        params: idParams,
        response: withErrors({ 200: download('the stored bundle', 'application/json') }),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const record = await storedRecord(run);
      return sendFile(reply, bundleFileName(run.id), 'application/json', Buffer.from(record.bundle, 'utf8'));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/envelope',
    {
      config: ui,
      schema: {
        summary:
          "Download the DSSE envelope of the run's stored bundle (attestation-<run>.dsse.json), for chainloop attestation verify or any DSSE verifier",
        tags: ['attestations'],
        params: idParams,
        response: withErrors({ 200: download('{payloadType, payload, signatures}', 'application/json') }),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const record = await storedRecord(run);
      const envelope = envelopeOf(record.bundle);
      if (!envelope) {
        throw notFound(
          'ENVELOPE_NOT_FOUND',
          `the stored attestation of workflow run ${run.id} carries no DSSE envelope: download the bundle instead (GET /v1/runs/${run.id}/bundle)`,
        );
      }
      return sendFile(reply, envelopeFileName(run.id), 'application/json', Buffer.from(JSON.stringify(envelope)));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/verification-material',
    {
      config: ui,
      schema: {
        summary:
          "What verifies the run's attestation offline: the registered public key it verified with (<key name>.pub), or this control plane's CA chain for a keyless one (chainloop-ca.pem)",
        tags: ['attestations'],
        params: idParams,
        response: withErrors({ 200: download('PEM', 'application/x-pem-file') }),
      },
    },
    async (request, reply) => {
      const run = await loadVisibleRun(repository, request.principal, request.params.id);
      const checked = await checkStored(run, await runWorkflow(run), false);
      if (!checked) throw noAttestation(run);
      const material = verificationMaterial(checked);
      if (!material) {
        throw notFound(
          'VERIFICATION_MATERIAL_NOT_FOUND',
          `workflow run ${run.id} has no verification material: its attestation did not verify with a registered key (${checked.assessment.reason ?? 'no key'}); register the signer's public key (chainloop workflow key add) or verify it with a key you trust`,
        );
      }
      return sendFile(reply, material.fileName, material.contentType, Buffer.from(material.text, 'utf8'));
    },
  );
}

/** initialized, then how it ended: pushed, failed or cancelled (with the reason given), or expired. */
function timelineOf(run: RunRecord, attestation: AttestationRecord | undefined) {
  const timeline: Array<{ event: string; at: string; reason?: string }> = [{ event: 'initialized', at: run.createdAt }];
  const endedAt = run.finishedAt ?? (run.status === 'succeeded' ? attestation?.createdAt : undefined);
  if (run.status === 'initialized' || endedAt === undefined) return timeline;
  const event = run.status === 'succeeded' ? 'pushed' : run.status;
  timeline.push({
    event,
    at: endedAt,
    ...(run.reason !== undefined && run.status !== 'succeeded' && { reason: run.reason }),
  });
  return timeline;
}

/** The bundle's DSSE envelope with exactly its three fields, or undefined when the bundle has none. */
function envelopeOf(bundle: string): { payloadType: unknown; payload: unknown; signatures: unknown } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bundle);
  } catch {
    return undefined;
  }
  const envelope = isObject(parsed) ? parsed.dsseEnvelope : undefined;
  if (!isObject(envelope) || typeof envelope.payload !== 'string') return undefined;
  return { payloadType: envelope.payloadType, payload: envelope.payload, signatures: envelope.signatures };
}
