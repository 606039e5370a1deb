/** A version's response-time distribution, given by two quantiles in milliseconds. */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p99: number;
}

/** z-score of the 99th percentile of the standard normal distribution. */
export const Z99 = 2.3263478740408408;

/**
 * A log-normal latency distribution through the given p50 and p99: smooth, so
 * that the linear interpolation of histogram_quantile() inside a narrow bucket
 * lands within a fraction of a percent of the configured quantile.
 */
export class LatencyDistribution {
  readonly p50: number;
  readonly p99: number;
  private readonly mu: number;
  private readonly sigma: number;

  constructor(quantiles: LatencyQuantiles) {
    const { p50, p99 } = quantiles;
    if (!(p50 > 0) || !Number.isFinite(p50)) throw new RangeError(`latency p50 must be a positive number of ms, got ${p50}`);
    if (!(p99 >= p50) || !Number.isFinite(p99)) throw new RangeError(`latency p99 must be a number of ms >= p50 (${p50}), got ${p99}`);
    this.p50 = p50;
    this.p99 = p99;
    this.mu = Math.log(p50);
    this.sigma = Math.log(p99 / p50) / Z99;
  }

  /** Share of requests answered within `ms`. */
  cdf(ms: number): number {
    if (ms <= 0) return 0;
    if (ms === Infinity) return 1;
    if (this.sigma === 0) return ms >= this.p50 ? 1 : 0;
    return standardNormalCdf((Math.log(ms) - this.mu) / this.sigma);
  }

  /** Mean latency in ms, for the histogram's _sum. */
  mean(): number {
    return this.p50 * Math.exp((this.sigma * this.sigma) / 2);
  }
}

/** Φ(z) through erf (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7). */
export function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Histogram bucket bounds (ms): a geometric series from 0.5 ms to 1 min in
 * steps of 10% (123 buckets), rounded to three significant digits. Istio's default buckets
 * (…, 100, 250, 500, 1000, …) are too coarse for histogram_quantile() to
 * give a p99 within a few percent; Istio lets a mesh configure its own
 * (sidecar.istio.io/statsHistogramBuckets), and so does the simulator.
 */
export function defaultLatencyBuckets(): number[] {
  const buckets: number[] = [];
  for (let le = 0.5; le <= 60_000; le *= 1.1) {
    const rounded = Number(le.toPrecision(3));
    if (rounded !== buckets.at(-1)) buckets.push(rounded);
  }
  return buckets;
}
