import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { LogSink } from './log-sink';

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

  readonly logLinesDropped: Counter;

  constructor(log?: LogSink) {
    collectDefaultMetrics({ register: this.registry, prefix: 'chainloop_' });
    let counted = 0;
    this.logLinesDropped = new Counter({
      name: 'chainloop_log_lines_dropped_total',
      help: 'Log lines that could not be written (full disk, closed log pipe) and were dropped',
      registers: [this.registry],
      // Read from the sink when scraped: the sink counts, it does not know about metrics.
      collect() {
        const dropped = log?.dropped() ?? 0;
        if (dropped > counted) this.inc(dropped - counted);
        counted = dropped;
      },
    });
  }
}
