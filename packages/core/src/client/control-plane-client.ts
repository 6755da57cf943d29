import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChainloopError } from '../errors';
import type { BodyWriter } from '../http/http-request';
import { ControlPlaneError } from './control-plane-error';
import { ControlPlaneTransport, type TransportOptions } from './transport';
import type {
  BlobRef,
  ContractRevision,
  CraftingContract,
  Identity,
  PolicySettings,
  ResetTrigger,
  RobotAccount,
  StoredAttestation,
  StoredPolicy,
  StoredPolicySummary,
  Workflow,
  WorkflowKey,
  WorkflowRun,
} from './types';

/** Reads of 1 MiB keep syscalls few and memory flat whatever the file size. */
const READ_CHUNK = 1024 * 1024;
/** Read buffers in flight for one upload: enough to keep the socket busy while the next one is read and hashed. */
const UPLOAD_BUFFERS = 4;

// Keeps `sha256:` readable in paths and logs; a colon is legal in a path segment.
const segment = (value: string | number) => encodeURIComponent(String(value)).replace(/%3A/gi, ':');

/** Resolves when a writable can take more, or will never take more (closed). */
function drainedOrClosed(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

/**
 * Typed client of the control plane HTTP API. Admin calls need an admin token, crafting calls a robot account
 * token; the server decides. Every failure is a ChainloopError carrying the server's code and one-line message.
 */
export class ControlPlaneClient {
  private readonly http: ControlPlaneTransport;

  constructor(options: TransportOptions) {
    this.http = new ControlPlaneTransport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  // --- admin ---

  createWorkflow(input: { name: string; team: string; project: string; description?: string }): Promise<Workflow> {
    return this.http.json('POST', '/v1/workflows', { json: input, idempotent: false });
  }

  async listWorkflows(): Promise<Workflow[]> {
    const { workflows } = await this.http.json<{ workflows: Workflow[] }>('GET', '/v1/workflows', { idempotent: true });
    return workflows;
  }

  getWorkflow(idOrName: string): Promise<Workflow> {
    return this.http.json('GET', `/v1/workflows/${segment(idOrName)}`, { idempotent: true });
  }

  /** Uploads a contract (YAML or JSON, kept verbatim); an unchanged body returns the latest revision. */
  updateContract(idOrName: string, body: string): Promise<ContractRevision> {
    // Idempotent on the server: the same body again does not create another revision.
    return this.http.json('PUT', `/v1/workflows/${segment(idOrName)}/contract`, { json: { body }, idempotent: true });
  }

  getContract(idOrName: string, revision?: number): Promise<ContractRevision> {
    const query = revision === undefined ? '' : `?revision=${segment(revision)}`;
    return this.http.json('GET', `/v1/workflows/${segment(idOrName)}/contract${query}`, { idempotent: true });
  }

  createRobotAccount(idOrName: string, name?: string): Promise<RobotAccount> {
    return this.http.json('POST', `/v1/workflows/${segment(idOrName)}/robot-accounts`, {
      json: name === undefined ? {} : { name },
      idempotent: false,
    });
  }

  async listRobotAccounts(idOrName: string): Promise<RobotAccount[]> {
    const { robotAccounts } = await this.http.json<{ robotAccounts: RobotAccount[] }>(
      'GET',
      `/v1/workflows/${segment(idOrName)}/robot-accounts`,
      { idempotent: true },
    );
    return robotAccounts;
  }

  revokeRobotAccount(idOrName: string, id: string): Promise<RobotAccount> {
    return this.http.json('DELETE', `/v1/workflows/${segment(idOrName)}/robot-accounts/${segment(id)}`, {
      idempotent: true,
    });
  }

  /** Registers a public key (PEM, e.g. cosign.pub); the same key again returns the one already registered. */
  addWorkflowKey(idOrName: string, input: { publicKeyPem: string; name?: string }): Promise<WorkflowKey> {
    // Idempotent on the server: a key is registered once per workflow.
    return this.http.json('POST', `/v1/workflows/${segment(idOrName)}/keys`, { json: input, idempotent: true });
  }

  async listWorkflowKeys(idOrName: string): Promise<WorkflowKey[]> {
    const { keys } = await this.http.json<{ keys: WorkflowKey[] }>('GET', `/v1/workflows/${segment(idOrName)}/keys`, {
      idempotent: true,
    });
    return keys;
  }

  async removeWorkflowKey(idOrName: string, id: string): Promise<void> {
    await this.http.request('DELETE', `/v1/workflows/${segment(idOrName)}/keys/${segment(id)}`, { idempotent: true });
  }

  async listRuns(filter: { workflow?: string; limit?: number } = {}): Promise<WorkflowRun[]> {
    const query = new URLSearchParams();
    if (filter.workflow !== undefined) query.set('workflow', filter.workflow);
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    const suffix = query.size > 0 ? `?${query}` : '';
    const { runs } = await this.http.json<{ runs: WorkflowRun[] }>('GET', `/v1/runs${suffix}`, { idempotent: true });
    return runs;
  }

  getRun(id: string): Promise<WorkflowRun> {
    return this.http.json('GET', `/v1/runs/${segment(id)}`, { idempotent: true });
  }

  /** By attestation digest (`sha256:…`) or by run id. */
  getAttestation(runIdOrDigest: string): Promise<StoredAttestation> {
    return this.http.json('GET', `/v1/attestations/${segment(runIdOrDigest)}`, { idempotent: true });
  }

  // --- organisation settings (read with any token, written with an admin token) ---

  /** Whether any policy violation blocks a push (ENFORCED) or only a gated policy's (ADVISORY). */
  getPolicySettings(): Promise<PolicySettings> {
    return this.http.json('GET', '/v1/settings/policies', { idempotent: true });
  }

  setPolicySettings(settings: PolicySettings): Promise<PolicySettings> {
    return this.http.json('PUT', '/v1/settings/policies', { json: settings, idempotent: true });
  }

  // --- policies and policy groups (organisation-wide; written with an admin token, read with a robot's too) ---

  /** Stores a `kind: Policy` document (YAML or JSON, kept verbatim); a changed body becomes the next revision. */
  createPolicy(body: string): Promise<StoredPolicy> {
    // Idempotent on the server: the same body again returns the latest revision instead of another one.
    return this.http.json('POST', '/v1/policies', { json: { body }, idempotent: true });
  }

  /** The latest revision of every stored policy, by name. */
  async listPolicies(): Promise<StoredPolicySummary[]> {
    const { policies } = await this.http.json<{ policies: StoredPolicySummary[] }>('GET', '/v1/policies', {
      idempotent: true,
    });
    return policies;
  }

  /** The latest revision of the named policy, or the given one. */
  getPolicy(name: string, revision?: number): Promise<StoredPolicy> {
    const query = revision === undefined ? '' : `?revision=${segment(revision)}`;
    return this.http.json('GET', `/v1/policies/${segment(name)}${query}`, { idempotent: true });
  }

  /** Stores a `kind: PolicyGroup` document; a changed body becomes the next revision. */
  createPolicyGroup(body: string): Promise<StoredPolicy> {
    return this.http.json('POST', '/v1/policy-groups', { json: { body }, idempotent: true });
  }

  async listPolicyGroups(): Promise<StoredPolicySummary[]> {
    const { policyGroups } = await this.http.json<{ policyGroups: StoredPolicySummary[] }>('GET', '/v1/policy-groups', {
      idempotent: true,
    });
    return policyGroups;
  }

  getPolicyGroup(name: string, revision?: number): Promise<StoredPolicy> {
    const query = revision === undefined ? '' : `?revision=${segment(revision)}`;
    return this.http.json('GET', `/v1/policy-groups/${segment(name)}${query}`, { idempotent: true });
  }

  // --- crafting (robot account) ---

  whoami(): Promise<Identity> {
    return this.http.json('GET', '/v1/whoami', { idempotent: true });
  }

  /** The workflow, its contract and the organisation's policy strategy, as init needs them. */
  getCraftingContract(revision?: number): Promise<CraftingContract> {
    const query = revision === undefined ? '' : `?revision=${segment(revision)}`;
    return this.http.json('GET', `/v1/crafting/contract${query}`, { idempotent: true });
  }

  createRun(input: { contractRevision: number; runnerType: string; jobUrl?: string }): Promise<WorkflowRun> {
    return this.http.json('POST', '/v1/crafting/runs', { json: input, idempotent: false });
  }

  /** Undefined when the run has no remote state yet. */
  async readRunState(runId: string): Promise<{ state: unknown; etag: string } | undefined> {
    const response = await this.http.request('GET', `/v1/runs/${segment(runId)}/state`, {
      idempotent: true,
      accept: [404],
    });
    if (response.status === 404) {
      const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      if (body.code === 'STATE_NOT_FOUND') return undefined;
      throw new ControlPlaneError(404, body.code ?? 'NOT_FOUND', body.message ?? `workflow run ${runId} not found`);
    }
    const { state } = (await response.json()) as { state: unknown };
    return { state, etag: response.header('etag') ?? '' };
  }

  /**
   * Writes the run's state. Pass the ETag of the state you read; without one the write succeeds only if there is
   * no state yet. Someone else's write in between → ChainloopError STATE_CONFLICT (read again and reapply).
   */
  writeRunState(runId: string, state: unknown, etag?: string): Promise<{ etag: string }> {
    return this.http.json('PUT', `/v1/runs/${segment(runId)}/state`, {
      json: { state },
      headers: etag === undefined ? { 'if-none-match': '*' } : { 'if-match': etag },
      // A lost answer to a successful write would turn a retry into a false conflict: never retried.
      idempotent: false,
    });
  }

  async deleteRunState(runId: string): Promise<void> {
    await this.http.request('DELETE', `/v1/runs/${segment(runId)}/state`, { idempotent: true });
  }

  /**
   * Stores the bundle verbatim and marks the run succeeded. The same statement again (a retried push, even signed
   * anew) answers with the stored digest; another statement for an attested run is 409 RUN_ALREADY_ATTESTED.
   */
  storeAttestation(runId: string, bundleJson: string): Promise<{ digest: string }> {
    return this.http.json('POST', `/v1/runs/${segment(runId)}/attestation`, {
      json: { bundle: bundleJson },
      idempotent: true,
    });
  }

  /** Marks the run failed or cancelled; a run already finished (e.g. pushed) is returned unchanged. */
  resetRun(runId: string, input: { trigger: ResetTrigger; reason?: string }): Promise<WorkflowRun> {
    return this.http.json('POST', `/v1/runs/${segment(runId)}/reset`, { json: input, idempotent: true });
  }

  // --- keyless signing ---

  /** A short-lived signing certificate for the CSR's key, bound to the run's workflow: PEM chain, leaf first. */
  async requestSigningCertificate(runId: string, csrPem: string): Promise<{ chainPem: string[] }> {
    const { chain } = await this.http.json<{ chain: string[] }>(
      'POST',
      `/v1/runs/${segment(runId)}/signing-certificate`,
      // Each answer is a fresh certificate for the same key: asking again after a lost answer is harmless.
      { json: { csr: csrPem }, idempotent: true },
    );
    return { chainPem: chain };
  }

  /** The CA keyless signing certificates chain to (PEM, issuing CA first), for verifiers. */
  getSigningCa(): Promise<{ certificatePem: string }> {
    return this.http.json('GET', '/v1/signing/ca', { idempotent: true });
  }

  // --- CAS ---

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.http.request('HEAD', `/v1/cas/${segment(digest)}`, { idempotent: true, accept: [404] });
    return response.status !== 404;
  }

  /** Uploads a file whose digest is known; the server keeps it only if the bytes hash to `digest`. */
  async uploadBlob(digest: string, filePath: string): Promise<BlobRef> {
    const { size } = await stat(filePath);
    return this.http.json('PUT', `/v1/cas/${segment(digest)}`, {
      body: () => createReadStream(filePath, { highWaterMark: READ_CHUNK }),
      headers: { 'content-length': String(size), ...fileNameHeader(filePath) },
      idempotent: true,
    });
  }

  /**
   * Hashes and uploads a file in one read: the server hashes the same bytes and answers with its digest, which must
   * equal ours. Memory stays constant whatever the size.
   */
  async uploadFileOnePass(filePath: string, options: { onProgress?(bytes: number): void } = {}): Promise<BlobRef> {
    const { size } = await stat(filePath);
    let local: BlobRef | undefined;
    // Reads into a few reused buffers, each refilled once the socket has taken it: no 1 MiB allocation (and page
    // faults) per chunk, ~10 % less CPU per GiB than a read stream, on a path where the client competes with the
    // control plane for the cores (bench/ §1).
    const body: BodyWriter = {
      async writeTo(sink) {
        const hash = createHash('sha256');
        const file = await open(filePath, 'r');
        try {
          const buffers = Array.from({ length: UPLOAD_BUFFERS }, () => Buffer.allocUnsafeSlow(READ_CHUNK));
          const taken: Array<Promise<void> | undefined> = [];
          let sent = 0;
          for (let index = 0; ; index++) {
            const slot = index % buffers.length;
            await taken[slot];
            const { bytesRead } = await file.read(buffers[slot], 0, READ_CHUNK, null);
            if (bytesRead === 0) break;
            const chunk = buffers[slot].subarray(0, bytesRead);
            hash.update(chunk);
            sent += bytesRead;
            options.onProgress?.(sent);
            const written = new Promise<void>((resolve, reject) =>
              sink.write(chunk, (error) => (error ? reject(error) : resolve())),
            );
            // Awaited before the buffer is reused; a failure in between surfaces through the request's own error.
            written.catch(() => {});
            taken[slot] = written;
            if (sink.writableNeedDrain) await drainedOrClosed(sink);
            // A request closed early (the control plane answered, e.g. 413) takes nothing more.
            if (sink.destroyed)
              throw new ChainloopError('UPLOAD_STOPPED', `upload of ${filePath} stopped: the request was closed`);
          }
          await Promise.all(taken);
          local = { digest: `sha256:${hash.digest('hex')}`, size: sent };
        } finally {
          await file.close();
        }
      },
    };
    const remote = await this.http.json<BlobRef>('POST', '/v1/cas/uploads', {
      body,
      headers: { 'content-length': String(size), ...fileNameHeader(filePath) },
      // Content-addressed: sending the same bytes twice stores one blob.
      idempotent: true,
    });
    if (!local || local.digest !== remote.digest || local.size !== remote.size) {
      throw new ChainloopError(
        'DIGEST_MISMATCH',
        `file ${filePath}: the control plane stored ${remote.digest} (${remote.size} B) but the file read as ${local?.digest ?? 'incomplete'}: the file changed while uploading, upload it again`,
      );
    }
    return remote;
  }

  /** Downloads a blob to `destPath`, checking size and digest before the file appears there. */
  async downloadBlob(digest: string, destPath: string): Promise<BlobRef> {
    const response = await this.http.request('GET', `/v1/cas/${segment(digest)}`, {
      idempotent: true,
      longRunning: true,
    });
    const partPath = `${destPath}.part-${randomBytes(4).toString('hex')}`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(response.body, meter, createWriteStream(partPath));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) {
        throw new ChainloopError(
          'DIGEST_MISMATCH',
          `blob ${digest}: downloaded bytes hash to ${actual}, nothing was written to ${destPath}: download it again`,
        );
      }
      await rename(partPath, destPath);
      return { digest, size };
    } finally {
      await rm(partPath, { force: true });
    }
  }
}

/**
 * The file's base name, which a control plane keeping its CAS in an OCI registry records on the blob's manifest
 * (percent-encoded: a header carries ASCII only). Never the directory: paths can say more than the file does.
 */
function fileNameHeader(filePath: string): Record<string, string> {
  return { 'x-chainloop-file-name': encodeURIComponent(basename(filePath)) };
}
