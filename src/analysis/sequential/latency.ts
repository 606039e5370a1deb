/**
 * An anytime-valid sequential test that the canary's latency distribution is
 * not worse than the primary's, read from Prometheus histogram buckets, safe
 * to consult at every interval of a release.
 *
 * Why a distribution and not a quantile: a p99 compared interval by interval
 * is an estimate with no sampling model a sequential test could use (at 5% of
 * 10 requests/s it is the slowest of some 30 requests, interpolated inside a
 * bucket), and a regression can move the p95 or the p99.9 and leave the p99
 * where it was. A histogram's buckets are counts, and counts have a model: for
 * every finite bound b, the requests slower than b are a share of all
 * requests exactly as errors are. "Not worse" here means the canary's share
 * slower than b is at most (1 + margin) times the primary's at every bound:
 * first-order stochastic dominance at every bucket edge, one-sided.
 *
 * Method, per bound: the counting-process test of Lindon, Sanden and
 * Shirikian, "Rapid Regression Detection in Software Deployments through
 * Sequential Testing" (KDD 2022), as error-rates.ts implements it, with
 * errors := requests slower than b and requests := all (the +Inf bucket).
 * Across bounds:
 * - worse (roll back): the mean over bounds of their worse e-processes. All
 *   are e-processes on the same filtration (one step per interval), and a
 *   mean of e-processes is one (expectation is linear), so by Ville's
 *   inequality (Ville 1939, "Étude critique de la notion de collectif") it
 *   reaches 1/alpha with probability at most alpha, however often it is
 *   looked at. No bound has to be picked in advance; the price is at most a
 *   factor of the number of bounds against knowing which one will move.
 * - not worse (may promote early): intersection–union (Berger 1982,
 *   "Multiparameter hypothesis testing and acceptance sampling",
 *   Technometrics 24): the release is not worse if it is not worse at each
 *   bound, and rejecting each of those nulls at level alpha rejects their
 *   union at level alpha, with no correction for multiplicity. Only
 *   informative bounds must pass: those where the pooled share (canary and
 *   primary together, all intervals so far) of requests slower than b is
 *   between 5% and 50%, roughly the median to the p95. A practical
 *   compromise, measured by npm run bench:judge: showing a share of 1% is
 *   within 25% takes some 200 slow canary requests, which a release at 100
 *   requests/s never gathers, so with the tail in the intersection early
 *   promotion never happened (0% fewer intervals); from the p95 down it
 *   saves 40-80% of them. Above 50% a relative margin says little (a share
 *   of 90% cannot rise by 25%). The pooled share is blind to how the slow
 *   requests split between the versions, which is all each bound's test
 *   looks at, so the choice does not favour bounds where the canary happens
 *   to look good. What it gives up is the tail: a regression only among the
 *   slowest 5% of requests is not ruled out before an early promotion (it is
 *   still called worse whenever the evidence is there, and the study's
 *   +20% p99 canaries shipped in 33% of releases at 25% of 100/s
 *   against 24% without early promotion). Users who care about the tail
 *   leave promoteEarly off.
 *
 * Caveats of the model. Counts from increase() are extrapolated and so not
 * whole; the likelihood is evaluated at them as they are. Where the slow share
 * is not small, the counts are binomial rather than Poisson and each bound's
 * test compares odds rather than rates: the bound on false rollbacks still
 * holds for an equal or faster canary and "not worse" only gets more
 * cautious, but a canary slower by just under the margin at a bound most
 * requests exceed can be called worse. The mean is over the bounds seen so
 * far, which is the fixed mean the guarantee needs as long as the buckets do
 * not change during the release.
 *
 * Pure: no I/O, no clock; the evidence is plain JSON-able numbers.
 */
import { addInterval, noEvidence, verdictOf, type ErrorCounts, type ErrorRateEvidence, type ErrorRateVerdict } from './error-rates.js';

/** One interval's histogram of both versions, as `sum by (le) (increase(x_bucket[1m]))` yields it. */
export interface LatencyBuckets {
  /** The buckets' upper bounds (le), ascending, the last Infinity. */
  readonly bounds: readonly number[];
  /** Per bound, the requests of this interval that took at most that long (cumulative, as Prometheus counts). */
  readonly canary: readonly number[];
  readonly primary: readonly number[];
}

export interface LatencyTest {
  /** The relative increase the canary is allowed in the share of requests slower than any bound (0.25: 25%). */
  readonly margin: number;
  /** The probability of a false rollback over the whole release, and of a false early promotion. */
  readonly alpha: number;
}

/** Per finite bound seen, ascending: the error-rate evidence with "slower than le" as the error. */
export interface LatencyEvidence {
  readonly boundaries: readonly { readonly le: number; readonly slow: ErrorRateEvidence }[];
}

export interface LatencyVerdict {
  /** worse: roll back; not-worse: enough evidence that the canary is within the margin at every informative bound; unknown: go on. */
  readonly kind: ErrorRateVerdict['kind'];
  /** The mean of the bounds' worse e-values, and the least not-worse e-value of the informative bounds (≥ 1/alpha decides). */
  readonly eWorse: number;
  readonly eNotWorse: number;
  /** Estimated from the buckets of all intervals so far, as histogram_quantile would; NaN without requests. */
  readonly canaryP99: number;
  readonly primaryP99: number;
}

/** The pooled share of slow requests that makes a bound one "not worse" must pass at. */
const INFORMATIVE = { min: 0.05, max: 0.5 } as const;
/**
 * A relative fall of a cumulative count from one bound to the next taken for
 * floating-point noise of increase()'s extrapolation and lifted; a larger fall
 * is a broken histogram.
 */
const ROUNDING = 1e-6;
const P99 = 0.99;

export function noLatencyEvidence(): LatencyEvidence {
  return { boundaries: [] };
}

/** The evidence after one more interval. A bound missing from the interval adds nothing to that bound. */
export function addLatencyInterval(evidence: LatencyEvidence, buckets: LatencyBuckets, test: LatencyTest): LatencyEvidence {
  assertTest(test);
  assertBounds(buckets.bounds);
  const canary = cumulative('canary', buckets.canary, buckets.bounds);
  const primary = cumulative('primary', buckets.primary, buckets.bounds);
  const total = { canary: canary.at(-1) ?? 0, primary: primary.at(-1) ?? 0 };
  const byBound = new Map(evidence.boundaries.map(({ le, slow }) => [le, slow]));
  for (const [i, le] of buckets.bounds.slice(0, -1).entries()) {
    const counts: ErrorCounts = {
      canary: { requests: total.canary, errors: total.canary - (canary[i] ?? 0) },
      primary: { requests: total.primary, errors: total.primary - (primary[i] ?? 0) },
    };
    byBound.set(le, addInterval(byBound.get(le) ?? noEvidence(), counts, test));
  }
  return { boundaries: [...byBound].sort(([a], [b]) => a - b).map(([le, slow]) => ({ le, slow })) };
}

export function latencyVerdictOf(evidence: LatencyEvidence, test: LatencyTest): LatencyVerdict {
  assertTest(test);
  const judged = evidence.boundaries.map(({ slow }) => ({ slow, verdict: verdictOf(slow, test) }));
  const eWorse = judged.length ? judged.reduce((sum, { verdict }) => sum + verdict.eWorse, 0) / judged.length : 1;
  const informative = judged.filter(({ slow }) => isInformative(slow));
  const eNotWorse = informative.length ? Math.min(...informative.map(({ verdict }) => verdict.eNotWorse)) : 1;
  const bar = 1 / test.alpha;
  const kind = eWorse >= bar ? 'worse' : informative.length > 0 && eNotWorse >= bar ? 'not-worse' : 'unknown';
  return { kind, eWorse, eNotWorse, canaryP99: quantile(evidence, 'canary', P99), primaryP99: quantile(evidence, 'primary', P99) };
}

function isInformative(slow: ErrorRateEvidence): boolean {
  const requests = slow.canary.requests + slow.primary.requests;
  const share = (slow.canary.errors + slow.primary.errors) / requests;
  return requests > 0 && share >= INFORMATIVE.min && share <= INFORMATIVE.max;
}

/**
 * The q-th quantile of one version over all intervals, as Prometheus'
 * histogram_quantile computes it from summed buckets: linear inside the
 * bucket, from 0 below the first bound (or that bound when it is ≤ 0), and
 * the highest finite bound when the quantile falls in the +Inf bucket. Each
 * bound's share at or below it comes from the intervals that had that bound,
 * so a bound missing from some interval does not bend the curve.
 */
function quantile(evidence: LatencyEvidence, side: 'canary' | 'primary', q: number): number {
  let [lower, below, seen] = [0, 0, false];
  for (const { le, slow } of evidence.boundaries) {
    const { requests, errors } = slow[side];
    if (requests <= 0) continue;
    const atMost = Math.max(below, 1 - errors / requests);
    if (atMost >= q) {
      if (!seen && le <= 0) return le;
      return lower + (le - lower) * ((q - below) / (atMost - below));
    }
    [lower, below, seen] = [le, atMost, true];
  }
  return seen ? lower : Number.NaN;
}

function assertTest(test: LatencyTest): void {
  if (!(test.alpha > 0 && test.alpha < 1)) throw new RangeError(`alpha ${test.alpha}: expected a probability between 0 and 1`);
  if (!(test.margin >= 0 && Number.isFinite(test.margin))) throw new RangeError(`margin ${test.margin}: expected a relative increase ≥ 0`);
}

function assertBounds(bounds: readonly number[]): void {
  if (bounds.at(-1) !== Infinity) throw new RangeError(`bounds: the last bound is ${bounds.length ? shown(bounds.at(-1)) : 'missing'}, not +Inf`);
  for (const [i, le] of bounds.entries()) {
    if (i < bounds.length - 1 && !Number.isFinite(le)) throw new RangeError(`bounds: ${shown(le)} at position ${i} is not a finite bound`);
    const previous = bounds[i - 1];
    if (previous !== undefined && !(le > previous)) throw new RangeError(`bounds: ${shown(le)} after ${shown(previous)}; bounds must ascend`);
  }
}

/** One version's cumulative counts, falls within rounding lifted to the count before. */
function cumulative(side: 'canary' | 'primary', counts: readonly number[], bounds: readonly number[]): number[] {
  if (counts.length !== bounds.length) throw new RangeError(`${side}: ${counts.length} counts for ${bounds.length} bounds`);
  let previous = 0;
  return counts.map((count, i) => {
    const at = `${side}: the count at le=${shown(bounds[i])}`;
    if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`${at} is ${count}, not a number of requests`);
    if (count < previous * (1 - ROUNDING)) {
      throw new RangeError(`${at} (${count}) is below the count at the bound before (${previous}); expected cumulative counts, which never fall`);
    }
    previous = Math.max(previous, count);
    return previous;
  });
}

function shown(le: number | undefined): string {
  return le === Infinity ? '+Inf' : String(le);
}
