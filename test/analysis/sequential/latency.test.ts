import { describe, expect, it } from 'vitest';
import { LatencyDistribution } from '../../../devenv/sim/latency.js';
import { seededRandom } from '../../../devenv/sim/random.js';
import {
  addLatencyInterval,
  latencyVerdictOf,
  noLatencyEvidence,
  type LatencyBuckets,
  type LatencyEvidence,
  type LatencyTest,
} from '../../../src/analysis/sequential/latency.js';

const TEST: LatencyTest = { alpha: 0.01, margin: 0.25 };
/** Istio's default buckets of istio_request_duration_milliseconds. */
const ISTIO = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, Infinity];

/** A lognormal latency by its median and p99, in ms. */
interface Latency {
  readonly median: number;
  readonly p99: number;
}
const PRIMARY: Latency = { median: 50, p99: 250 };



/** The share of requests at most `le` ms. */
function cdf(latency: Latency, le: number): number {
  return new LatencyDistribution({ p50: latency.median, p99: latency.p99 }).cdf(le);
}

/** Expected cumulative counts of `requests` requests: what a very large sample converges to. */
function expected(latency: Latency, requests: number, bounds: readonly number[] = ISTIO): number[] {
  return bounds.map((le) => requests * cdf(latency, le));
}

/** Cumulative counts with a Poisson count per bucket (independent, so the total is Poisson too). */
function sampled(next: () => number, latency: Latency, requests: number): number[] {
  let below = 0;
  let sum = 0;
  return ISTIO.map((le) => {
    const share = cdf(latency, le);
    sum += poisson(next, requests * (share - below));
    below = share;
    return sum;
  });
}

function poisson(next: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())));
  let k = 0;
  for (let p = next(), limit = Math.exp(-mean); p > limit; p *= next()) k++;
  return k;
}

function run(intervals: readonly LatencyBuckets[]): LatencyEvidence {
  return intervals.reduce<LatencyEvidence>((evidence, buckets) => addLatencyInterval(evidence, buckets, TEST), noLatencyEvidence());
}

/** The interval (1-based) a release of `intervals` intervals is first called worse at, or 0. */
function rolledBackAt(next: () => number, canary: Latency, intervals: number, requests: { canary: number; primary: number }): number {
  let evidence = noLatencyEvidence();
  for (let i = 1; i <= intervals; i++) {
    evidence = addLatencyInterval(evidence, { bounds: ISTIO, canary: sampled(next, canary, requests.canary), primary: sampled(next, PRIMARY, requests.primary) }, TEST);
    if (latencyVerdictOf(evidence, TEST).kind === 'worse') return i;
  }
  return 0;
}

describe('the sequential latency test', () => {
  it('knows nothing before any interval: unknown, both e-values 1, no p99', () => {
    const verdict = latencyVerdictOf(noLatencyEvidence(), TEST);
    expect(verdict).toMatchObject({ kind: 'unknown', eWorse: 1, eNotWorse: 1 });
    expect(verdict.canaryP99).toBeNaN();
    expect(verdict.primaryP99).toBeNaN();
  });

  it('calls a canary whose p99 doubled worse within a few intervals, at 10% of the traffic', () => {
    const at = rolledBackAt(seededRandom(3), { median: 50, p99: 500 }, 10, { canary: 1_000, primary: 9_000 });
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThanOrEqual(3);
  });

  it('rolls back at most alpha of canaries equal to the primary (1,000 simulated releases of 10 intervals)', () => {
    const next = seededRandom(11);
    let rolledBack = 0;
    for (let release = 0; release < 1_000; release++) if (rolledBackAt(next, PRIMARY, 10, { canary: 200, primary: 1_800 }) > 0) rolledBack++;
    // alpha plus three standard errors of a share estimated from 1,000 releases.
    expect(rolledBack / 1_000).toBeLessThanOrEqual(TEST.alpha + 3 * Math.sqrt((TEST.alpha * (1 - TEST.alpha)) / 1_000));
  });

  it('never calls a faster canary worse: every request 20% faster (300 simulated releases)', () => {
    const next = seededRandom(5);
    let rolledBack = 0;
    for (let release = 0; release < 300; release++) if (rolledBackAt(next, { median: 40, p99: 200 }, 10, { canary: 500, primary: 4_500 }) > 0) rolledBack++;
    expect(rolledBack).toBe(0);
  });

  it('calls an equal canary not worse once the traffic is enough, and its worse e-value falls', () => {
    const intervals = Array.from({ length: 10 }, () => ({ bounds: ISTIO, canary: expected(PRIMARY, 20_000), primary: expected(PRIMARY, 20_000) }));
    const verdict = latencyVerdictOf(run(intervals), TEST);
    expect(verdict.kind).toBe('not-worse');
    expect(verdict.eNotWorse).toBeGreaterThanOrEqual(1 / TEST.alpha);
    expect(verdict.eWorse).toBeLessThan(1);
    expect(verdict.canaryP99).toBeCloseTo(verdict.primaryP99);
  });

  it('calls a canary whose p99 rose 20% worse given the traffic, not "not worse"', () => {
    const intervals = Array.from({ length: 10 }, () => ({ bounds: ISTIO, canary: expected({ median: 50, p99: 300 }, 20_000), primary: expected(PRIMARY, 20_000) }));
    expect(latencyVerdictOf(run(intervals), TEST).kind).toBe('worse');
  });

  it('cannot call a release not worse without an informative bound: nobody slower than any bound', () => {
    const bounds = [1_000, Infinity];
    const verdict = latencyVerdictOf(run(Array.from({ length: 10 }, () => ({ bounds, canary: [10_000, 10_000], primary: [10_000, 10_000] }))), TEST);
    expect(verdict).toMatchObject({ kind: 'unknown', eNotWorse: 1 });
  });

  it('estimates p99 as histogram_quantile does over the summed buckets of all intervals', () => {
    const bounds = [10, 50, 100, Infinity];
    const evidence = run([
      { bounds, canary: [10, 40, 49.5, 50], primary: [0, 10, 80, 90] },
      { bounds, canary: [10, 30, 50, 50], primary: [0, 0, 0, 10] },
    ]);
    const verdict = latencyVerdictOf(evidence, TEST);
    // canary summed: [20, 70, 99.5, 100]; rank 0.99·100 = 99 falls in (50, 100]: 50 + 50·(99 − 70)/(99.5 − 70).
    expect(verdict.canaryP99).toBeCloseTo(50 + (50 * 29) / 29.5, 9);
    // primary summed: [0, 10, 80, 100]; rank 99 falls in the +Inf bucket: the highest finite bound.
    expect(verdict.primaryP99).toBe(100);
  });

  it('interpolates from 0 inside the first bucket', () => {
    const verdict = latencyVerdictOf(run([{ bounds: [10, Infinity], canary: [100, 100], primary: [100, 100] }]), TEST);
    expect(verdict.canaryP99).toBeCloseTo(9.9, 9);
  });

  it('keys evidence by bound: a bound missing from an interval adds nothing to that bound', () => {
    const evidence = run([
      { bounds: [10, 100, Infinity], canary: [5, 9, 10], primary: [50, 90, 100] },
      { bounds: [10, Infinity], canary: [1, 10], primary: [10, 100] },
    ]);
    expect(evidence.boundaries.map(({ le, slow }) => [le, slow.canary.requests, slow.canary.errors])).toEqual([
      [10, 20, 14],
      [100, 10, 1],
    ]);
  });

  it('keeps its evidence as plain JSON: the same verdict after a round trip', () => {
    const evidence = run(Array.from({ length: 3 }, () => ({ bounds: ISTIO, canary: expected(PRIMARY, 1_000), primary: expected(PRIMARY, 9_000) })));
    const copy = JSON.parse(JSON.stringify(evidence)) as LatencyEvidence;
    expect(latencyVerdictOf(copy, TEST)).toEqual(latencyVerdictOf(evidence, TEST));
  });

  it("accepts increase()'s extrapolated counts: fractions, and falls within rounding", () => {
    const buckets = { bounds: [10, 100, Infinity], canary: [3.3333, 9.9999999999, 9.99999999], primary: [30.5, 90.25, 100.125] };
    expect(() => addLatencyInterval(noLatencyEvidence(), buckets, TEST)).not.toThrow();
  });

  it('refuses a histogram that is not one, naming what is wrong', () => {
    const add = (buckets: LatencyBuckets) => () => addLatencyInterval(noLatencyEvidence(), buckets, TEST);
    const ok = { bounds: [10, 100, Infinity], canary: [1, 2, 3], primary: [1, 2, 3] };
    expect(add({ ...ok, canary: [1, 0.5, 3] })).toThrow(new RangeError('canary: the count at le=100 (0.5) is below the count at the bound before (1); expected cumulative counts, which never fall'));
    expect(add({ ...ok, primary: [-1, 2, 3] })).toThrow(new RangeError('primary: the count at le=10 is -1, not a number of requests'));
    expect(add({ ...ok, canary: [1, Number.NaN, 3] })).toThrow(new RangeError('canary: the count at le=100 is NaN, not a number of requests'));
    expect(add({ ...ok, bounds: [100, 10, Infinity] })).toThrow(new RangeError('bounds: 10 after 100; bounds must ascend'));
    expect(add({ ...ok, bounds: [10, 100, 1_000] })).toThrow(new RangeError('bounds: the last bound is 1000, not +Inf'));
    expect(add({ ...ok, bounds: [10, Number.NaN, Infinity] })).toThrow(new RangeError('bounds: NaN at position 1 is not a finite bound'));
    expect(add({ ...ok, primary: [1, 2] })).toThrow(new RangeError('primary: 2 counts for 3 bounds'));
    expect(add({ bounds: [], canary: [], primary: [] })).toThrow(new RangeError('bounds: the last bound is missing, not +Inf'));
  });
});
