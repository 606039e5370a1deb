import type { LatencyDistribution } from './latency.js';

/** A read-only view of one workload's counters. */
export interface WorkloadCountsView {
  /** Requests answered with a non-5xx code. */
  readonly successes: number;
  /** Requests answered with 5xx. */
  readonly errors: number;
  /** Cumulative histogram counts, one per bucket bound (same order as `buckets`). */
  readonly bucketCounts: readonly number[];
  readonly buckets: readonly number[];
  /** Sum of all latencies in ms. */
  readonly latencySum: number;
  readonly total: number;
}

/**
 * Envoy's counters for one workload, kept as exact fractional amounts: a
 * stretch of n requests at error rate e adds n·e errors and, to each bucket,
 * n·CDF(le). No sampling, so PromQL over a 1 s scrape sees the configured
 * rates and quantiles rather than noise.
 */
export class WorkloadCounters implements WorkloadCountsView {
  successes = 0;
  errors = 0;
  latencySum = 0;
  readonly buckets: readonly number[];
  private readonly counts: number[];

  constructor(buckets: readonly number[]) {
    this.buckets = buckets;
    this.counts = buckets.map(() => 0);
  }

  get bucketCounts(): readonly number[] {
    return this.counts;
  }

  get total(): number {
    return this.successes + this.errors;
  }

  record(requests: number, errorRate: number, latency: LatencyDistribution): void {
    if (!(requests > 0)) return;
    this.errors += requests * errorRate;
    this.successes += requests * (1 - errorRate);
    this.latencySum += requests * latency.mean();
    this.buckets.forEach((le, index) => {
      this.counts[index] = (this.counts[index] ?? 0) + requests * latency.cdf(le);
    });
  }
}
