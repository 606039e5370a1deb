import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The controller's own Prometheus metrics, served on /metrics. */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly ticks = new Counter({ name: 'flowshift_ticks_total', help: 'Ticks processed, by outcome.', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly tickLag = new Histogram({
    name: 'flowshift_tick_lag_seconds',
    help: 'How late a tick started against its planned time.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly tickDuration = new Histogram({
    name: 'flowshift_tick_duration_seconds',
    help: 'Time one tick took, from reading the Rollout to its last action.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly kubeRequests = new Counter({ name: 'flowshift_kube_requests_total', help: 'Kubernetes API requests, by HTTP method (watches excluded).', labelNames: ['method'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'flowshift_' });
  }
}
