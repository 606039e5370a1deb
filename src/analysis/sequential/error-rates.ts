/**
 * An anytime-valid sequential test of the canary's error rate against the
 * primary's, safe to consult at every interval of a release.
 *
 * Method: the counting-process model of Lindon, Sanden and Shirikian, "Rapid
 * Regression Detection in Software Deployments through Sequential Testing"
 * (KDD 2022, Netflix). Errors of each version arrive as Poisson processes
 * whose intensity is that version's requests times its error rate; given the
 * errors of one interval, each fell on the canary with probability
 *
 *   q(ρ) = ρ·nc / (ρ·nc + np),   ρ = canary rate / primary rate,
 *
 * whatever the traffic split and whatever the shared rate (the nuisance
 * cancels out). For a null ρ₀ and an alternative ρ₁ > ρ₀ the product over
 * intervals of the binomial likelihood ratios is a non-negative
 * supermartingale under every ρ ≤ ρ₀ (the one-step expectation is linear in
 * q, equal to 1 at q(ρ₀) and increasing), and so is any mixture over
 * alternatives (Robbins' method of mixtures). By Ville's inequality it
 * exceeds 1/α with probability at most α, however often it is looked at:
 * that bounds the probability of a false rollback over the whole release.
 *
 * Two such tests run side by side, with the user's margin m (a relative
 * increase the canary is allowed, e.g. 0.1 for 10%):
 * - worse: H₀ ρ ≤ 1+m rejected (roll back), alternatives above 1+m;
 * - not worse: H₀ ρ ≥ 1+m rejected (may promote early), alternatives below.
 * Pure: no I/O, no clock; the state is plain numbers, kept between ticks.
 */

/** One interval's increments (not cumulative counts). */
export interface ErrorCounts {
  readonly canary: { readonly requests: number; readonly errors: number };
  readonly primary: { readonly requests: number; readonly errors: number };
}

export interface ErrorRateTest {
  /** The relative increase of the error rate the canary is allowed (0.1: 10%). */
  readonly margin: number;
  /** The probability of a false rollback over the whole release, and of a false early promotion. */
  readonly alpha: number;
}

/** The log-likelihood ratio of each alternative, summed over the intervals seen, and the totals. */
export interface ErrorRateEvidence {
  readonly worse: readonly number[];
  readonly notWorse: readonly number[];
  readonly canary: { readonly requests: number; readonly errors: number };
  readonly primary: { readonly requests: number; readonly errors: number };
}

export type ErrorRateVerdict = {
  /** worse: roll back; not-worse: enough evidence that the canary is within the margin; unknown: go on. */
  readonly kind: 'worse' | 'not-worse' | 'unknown';
  /** The e-values of both tests (≥ 1/alpha decides). */
  readonly eWorse: number;
  readonly eNotWorse: number;
  /** Error rates so far, for the evidence shown to users. */
  readonly canaryRate: number;
  readonly primaryRate: number;
};

/**
 * The alternatives, as log ρ₁/ρ₀ (a relative change from the null of e^g):
 * from 10% to 20x, equal prior weights. A wide grid costs a little power at
 * any one effect size and keeps the test sensitive to all of them.
 */
const LOG_ALTERNATIVES: readonly number[] = [0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3];

export function noEvidence(): ErrorRateEvidence {
  const zeros = LOG_ALTERNATIVES.map(() => 0);
  return { worse: zeros, notWorse: zeros, canary: { requests: 0, errors: 0 }, primary: { requests: 0, errors: 0 } };
}

/** The evidence after one more interval. An interval without requests on either side or without errors adds nothing. */
export function addInterval(evidence: ErrorRateEvidence, counts: ErrorCounts, test: ErrorRateTest): ErrorRateEvidence {
  const { canary, primary } = counts;
  assertCounts(counts);
  const totals = {
    canary: { requests: evidence.canary.requests + canary.requests, errors: evidence.canary.errors + canary.errors },
    primary: { requests: evidence.primary.requests + primary.requests, errors: evidence.primary.errors + primary.errors },
  };
  if (canary.requests === 0 || primary.requests === 0 || canary.errors + primary.errors === 0) return { ...evidence, ...totals };
  const null0 = 1 + test.margin;
  const step = (g: number): number => logLikelihoodRatio(null0 * Math.exp(g), null0, counts);
  return {
    worse: evidence.worse.map((sum, i) => sum + step(LOG_ALTERNATIVES[i] ?? 0)),
    notWorse: evidence.notWorse.map((sum, i) => sum + step(-(LOG_ALTERNATIVES[i] ?? 0))),
    ...totals,
  };
}

export function verdictOf(evidence: ErrorRateEvidence, test: ErrorRateTest): ErrorRateVerdict {
  const eWorse = mixture(evidence.worse);
  const eNotWorse = mixture(evidence.notWorse);
  const bar = 1 / test.alpha;
  const kind = eWorse >= bar ? 'worse' : eNotWorse >= bar ? 'not-worse' : 'unknown';
  return { kind, eWorse, eNotWorse, canaryRate: rate(evidence.canary), primaryRate: rate(evidence.primary) };
}

/** log of q(ρ₁)^ec (1-q(ρ₁))^ep / q(ρ₀)^ec (1-q(ρ₀))^ep. */
function logLikelihoodRatio(rho1: number, rho0: number, counts: ErrorCounts): number {
  const share = (rho: number): number => (rho * counts.canary.requests) / (rho * counts.canary.requests + counts.primary.requests);
  const [q1, q0] = [share(rho1), share(rho0)];
  return counts.canary.errors * Math.log(q1 / q0) + counts.primary.errors * Math.log((1 - q1) / (1 - q0));
}

/** The mean of exp(l) over the alternatives, computed without overflow. */
function mixture(logs: readonly number[]): number {
  const top = Math.max(...logs);
  return Math.exp(top) * (logs.reduce((sum, l) => sum + Math.exp(l - top), 0) / logs.length);
}

function rate(side: { readonly requests: number; readonly errors: number }): number {
  return side.requests > 0 ? side.errors / side.requests : 0;
}

function assertCounts(counts: ErrorCounts): void {
  for (const [side, c] of Object.entries(counts) as [string, { requests: number; errors: number }][]) {
    if (!(c.requests >= 0 && c.errors >= 0 && c.errors <= c.requests && Number.isFinite(c.requests))) {
      throw new RangeError(`${side}: ${c.errors} errors of ${c.requests} requests is not a count of one interval`);
    }
  }
}
