import type { ControlPlaneClient } from '@chainloop-ts/core/client';

/** The HTTP endpoint behind each crafting call of ControlPlaneClient (packages/core/src/client). */
const ENDPOINTS: Record<string, string> = {
  getCraftingContract: 'GET /v1/crafting/contract',
  createRun: 'POST /v1/crafting/runs',
  hasBlob: 'HEAD /v1/cas/:digest',
  uploadBlob: 'PUT /v1/cas/:digest',
  uploadFileOnePass: 'POST /v1/cas/uploads',
  storeAttestation: 'POST /v1/runs/:id/attestation',
  resetRun: 'POST /v1/runs/:id/reset',
  readRunState: 'GET /v1/runs/:id/state',
  writeRunState: 'PUT /v1/runs/:id/state',
};

/** Client-side latency samples (ms) per endpoint, successful calls only; failures are counted apart. */
export class EndpointLatencies {
  readonly samples = new Map<string, number[]>();
  readonly failures = new Map<string, number>();

  /** The same client, every call timed from the caller's side (queueing in the client included). */
  instrument(client: ControlPlaneClient): ControlPlaneClient {
    return new Proxy(client, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        const endpoint = ENDPOINTS[property] ?? property;
        return async (...args: unknown[]) => {
          const started = process.hrtime.bigint();
          try {
            const result = await value.apply(target, args);
            this.record(endpoint, Number(process.hrtime.bigint() - started) / 1e6);
            return result;
          } catch (error) {
            this.failures.set(endpoint, (this.failures.get(endpoint) ?? 0) + 1);
            throw error;
          }
        };
      },
    });
  }

  private record(endpoint: string, ms: number): void {
    const list = this.samples.get(endpoint);
    if (list) list.push(ms);
    else this.samples.set(endpoint, [ms]);
  }
}

/** Server-side latencies from the control plane's request log (`METHOD /path STATUS 1.2ms`), paths templated. */
export function serverLatencies(lines: string[]): { byRoute: Map<string, number[]>; unexpected: string[] } {
  const byRoute = new Map<string, number[]>();
  const unexpected: string[] = [];
  for (const line of lines) {
    const match = /^(?:INF )?(\w+) (\S+) (\d{3}) ([\d.]+)ms$/.exec(line);
    if (!match) {
      if (line.trim() !== '') unexpected.push(line);
      continue;
    }
    const [, method, path, status, ms] = match;
    const route = `${method} ${path.replace(/sha256:[0-9a-f]{64}/g, ':digest').replace(/\/runs\/[^/]+/, '/runs/:id')}`;
    // HEAD 404 is the "not there yet, send it" answer of a first upload: expected. Anything else ≥ 400 is an error.
    if (Number(status) >= 400 && !(method === 'HEAD' && status === '404')) unexpected.push(line);
    const list = byRoute.get(route);
    if (list) list.push(Number(ms));
    else byRoute.set(route, [Number(ms)]);
  }
  return { byRoute, unexpected };
}
