import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server instance (its own registry, so several servers can share a process). */
export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'chainloop_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'chainloop_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [this.registry],
  });
  readonly casBytesIn = new Counter({
    name: 'chainloop_cas_bytes_received_total',
    help: 'Bytes received by CAS uploads',
    registers: [this.registry],
  });
  readonly casBytesOut = new Counter({
    name: 'chainloop_cas_bytes_sent_total',
    help: 'Bytes sent by CAS downloads',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'chainloop_' });
  }
}
