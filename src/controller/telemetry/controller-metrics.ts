import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A queue whose jobs are counted by state at scrape time. */
export interface CountedQueue {
  readonly queue: string;
  readonly counts: () => Promise<Record<string, number>>;
}

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
  readonly kubeRequests = new Counter({ name: 'flowshift_kube_requests_total', help: 'Kubernetes API requests, by HTTP method (WATCH: a watch opened) and answer (HTTP status; error: none came; a 429 waited out and sent again counts twice).', labelNames: ['method', 'code'] as const, registers: [this.registry] });

  readonly notifications = new Counter({
    name: 'flowshift_notifications_total',
    help: 'Notification delivery attempts, by destination type and outcome (sent, retry, failed).',
    labelNames: ['destination', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Unprefixed process_* and nodejs_*, the names stock Node.js dashboards query.
    collectDefaultMetrics({ register: this.registry });
  }

  /** flowshift_queue_jobs{queue, state}: the depth of the tick and notification queues. */
  countQueues(queues: readonly CountedQueue[]): void {
    const gauge = new Gauge({
      name: 'flowshift_queue_jobs',
      help: 'Jobs in the BullMQ queues, by queue and state.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const all = await Promise.all(queues.map(async (q) => ({ queue: q.queue, counts: await q.counts().catch(() => ({})) })));
        gauge.reset();
        for (const { queue, counts } of all) for (const [state, n] of Object.entries(counts)) gauge.set({ queue, state }, n);
      },
    });
  }
}
