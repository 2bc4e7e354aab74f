import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Telemetry } from './telemetry.js';

/** Prometheus metrics, in a registry of their own per app (tests run several apps in one process). */
export class Metrics implements Telemetry {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'loft_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [this.registry],
  });
  readonly bytesIn = new Counter({
    name: 'loft_http_bytes_in_total',
    help: 'Request body bytes received',
    registers: [this.registry],
  });
  readonly bytesOut = new Counter({
    name: 'loft_http_bytes_out_total',
    help: 'Response body bytes sent',
    registers: [this.registry],
  });
  readonly uploads = new Counter({
    name: 'loft_uploads_total',
    help: 'Uploads committed',
    registers: [this.registry],
  });
  readonly uploadBytes = new Counter({
    name: 'loft_upload_bytes_total',
    help: 'Bytes of committed uploads',
    registers: [this.registry],
  });
  readonly dedupSaved = new Counter({
    name: 'loft_dedup_saved_bytes_total',
    help: 'Bytes not stored again because identical content already existed',
    registers: [this.registry],
  });
  readonly storedBytes = new Gauge({
    name: 'loft_stored_bytes',
    help: 'Bytes held by the blob store (unique content)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'loft_' });
  }

  uploadCommitted(bytes: number, deduplicated: boolean): void {
    this.uploads.inc();
    this.uploadBytes.inc(bytes);
    if (deduplicated) this.dedupSaved.inc(bytes);
  }
}
