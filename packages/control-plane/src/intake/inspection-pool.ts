import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ApiError } from '../http/api-error';
import { type InspectedAttestation, type InspectionRequest, inspectAttestation } from './inspect-attestation';

/**
 * Bodies up to this size are inspected on the event loop: a CI job's push is a few KiB, parsed and verified in well
 * under a millisecond, while handing it to a worker and back cost the server more CPU than the inspection itself
 * (bench §5). Only bigger bodies, which could stall other requests or need the worker's capped heap, go to a worker.
 */
const INLINE_MAX_BYTES = 64 * 1024;

/** Set by build.mjs in the bundled control plane: the worker's file name next to the bundle. */
declare const CHAINLOOP_INSPECTION_WORKER: string | undefined;

/** Where the worker's code is: the bundled file in dist/, or the TypeScript source when run from src (tsx). */
function workerFilename(): string {
  if (typeof CHAINLOOP_INSPECTION_WORKER === 'string') return join(__dirname, CHAINLOOP_INSPECTION_WORKER);
  return fileURLToPath(new URL('./inspection-worker.ts', import.meta.url));
}

/** Inspects pushed attestations off the event loop. */
export interface AttestationInspector {
  inspect(request: InspectionRequest): Promise<InspectedAttestation>;
  close(): Promise<void>;
}

/**
 * Worker threads (piscina) that run `inspectAttestation` for bodies over INLINE_MAX_BYTES. Each worker's heap is capped, so a bundle that would need
 * more memory than that fails its own push (413) instead of the process.
 */
export class WorkerPoolInspector implements AttestationInspector {
  private readonly pool: Piscina;

  constructor(options: { threads: number; maxHeapMb: number }) {
    this.pool = new Piscina({
      filename: workerFilename(),
      minThreads: 1,
      maxThreads: options.threads,
      // Idle workers stay: starting one costs ~40 ms, which would land on the next push.
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
      niceIncrement: 10,
    });
  }

  async inspect(request: InspectionRequest): Promise<InspectedAttestation> {
    let outcome: Awaited<ReturnType<typeof inspectAttestation>>;
    if (request.body.byteLength <= INLINE_MAX_BYTES) {
      outcome = await inspectAttestation(request);
      if (!outcome.ok) throw new ApiError(outcome.status, outcome.code, outcome.message);
      return outcome.attestation;
    }
    try {
      // The body is handed over, not copied: the request no longer needs it.
      outcome = await this.pool.run(request, { transferList: transferable(request.body) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new ApiError(
          413,
          'ATTESTATION_TOO_LARGE',
          'attestation refused: it needs more memory to check than the control plane allows: push a smaller attestation',
        );
      }
      throw error;
    }
    if (!outcome.ok) throw new ApiError(outcome.status, outcome.code, outcome.message);
    return outcome.attestation;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }
}

/** The body's memory can be moved to the worker only when it owns its ArrayBuffer (not a slice of Node's pool). */
function transferable(body: Uint8Array): ArrayBuffer[] {
  const { buffer } = body;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength) return [buffer];
  return [];
}
