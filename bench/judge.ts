// npm run bench:judge [-- --releases 1000 --seed 1 --interval 60 --primary-errors 1 --rates 10,100 --margin 25]
//
// The simulation study of issue 23: releases with a known truth, at 5%, 10%
// and 25% canary traffic and 10 or 100 requests/s (--rates), judged on the same
// generated data by a sequential test and by today's threshold rule:
// - error rates: a good canary, or one with +0.5, +1, +2 points of errors
//   over the primary's (src/analysis/sequential/error-rates.ts);
// - latency: a good canary, or one whose p99 is 20% or 50% above the
//   primary's, binned into Istio's buckets (src/analysis/sequential/latency.ts).
// Prints, per case: false rollbacks of good releases (with a 95% interval),
// missed bad releases, and intervals to a decision; then, for good releases,
// the intervals early promotion takes against stepping through every weight.
import { parseArgs } from 'node:util';
import { readArguments, usage, wholeNumber } from './cli.js';
import { histogramQuantile } from './stats.js';
import { seededRandom } from '../devenv/sim/random.js';
import { standardNormalCdf, Z99 } from '../devenv/sim/latency.js';
import { compareWithPrimary, parseComparison, type ComparisonBounds } from '../src/analysis/compare.js';
import { addInterval, noEvidence, verdictOf, type ErrorCounts, type ErrorRateTest, type ErrorRateVerdict } from '../src/analysis/sequential/error-rates.js';
import { addLatencyInterval, latencyVerdictOf, noLatencyEvidence, type LatencyBuckets, type LatencyTest } from '../src/analysis/sequential/latency.js';

const NAME = 'npm run bench:judge';
const OPTIONS = {
  releases: { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
  interval: { type: 'string', default: '60' },
  'primary-errors': { type: 'string', default: '1' },
  rates: { type: 'string', default: '10,100' },
  margin: { type: 'string', default: '25' },
} as const;
const HELP = usage(
  NAME,
  'Simulates releases with a known truth (error rates, latency) and judges each by the sequential tests and by the threshold rule, on the same data.',
  {
    releases: { value: '<n>', text: 'simulated releases per case' },
    seed: { value: '<n>', text: 'seed of the generator (the same seed, the same figures)' },
    interval: { value: '<seconds>', text: 'time between checks' },
    'primary-errors': { value: '<percent>', text: "the primary's error rate" },
    rates: { value: '<list>', text: 'requests/s of the cases, comma-separated' },
    margin: { value: '<percent>', text: "the error-rate test's margin: how much higher than the primary's a canary's error rate may be" },
  },
  OPTIONS,
);
const { RELEASES, SEED, INTERVAL_S, PRIMARY_ERROR_RATE, RATES, MARGIN } = readArguments(NAME, HELP, (args) => {
  const { values } = parseArgs({ args, options: OPTIONS });
  const [releases, seed] = [wholeNumber('releases', values.releases, 1), wholeNumber('seed', values.seed)];
  const [interval, errors] = [Number(values.interval), Number(values['primary-errors'])];
  if (!(interval > 0)) throw new Error(`--interval ${values.interval}: expected seconds above 0`);
  if (!(errors >= 0 && errors < 97)) throw new Error(`--primary-errors ${values['primary-errors']}: expected a percentage from 0 to 97`);
  const rates = values.rates.split(',').map(Number);
  if (!rates.every((rate) => rate > 0 && Number.isFinite(rate))) throw new Error(`--rates ${values.rates}: expected requests/s above 0, comma-separated`);
  const margin = Number(values.margin);
  if (!(margin >= 0 && Number.isFinite(margin))) throw new Error(`--margin ${values.margin}: expected a percentage of 0 or more`);
  return { RELEASES: releases, SEED: seed, INTERVAL_S: interval, PRIMARY_ERROR_RATE: errors / 100, RATES: rates, MARGIN: margin / 100 };
});

/** The release every case simulates: ten checks when it steps through every weight. */
const INTERVALS = 10;
const SHARES = [0.05, 0.1, 0.25] as const;
const JUDGE: ErrorRateTest = { alpha: 0.01, margin: MARGIN };
/** Today's rule as a user would write it: thresholdRange max at the primary's error rate plus a point, threshold 2. */
const THRESHOLD = { maxErrorRate: PRIMARY_ERROR_RATE + 0.01, failedChecks: 2 };
/**
 * The latency margin is on the share of requests slower than each bound, and
 * a lognormal tail turns a small rise of the p99 into a large rise of that
 * share: for the primary below, +20% on the p99 is +83% of the requests slower
 * than 250 ms, +10% is +40%. A margin of 25% on the share is about +6% on the
 * p99 at 250 ms (less at the bounds further out, where the share rises faster
 * still), which leaves +20% well clear of it. A wider margin promotes good
 * releases sooner, since the 1% of requests slower than 250 ms is the bound
 * that holds "not worse" back, but misses more bad ones: at 50%, 25% canary
 * traffic and 100 requests/s, it promoted good releases by a median 6th
 * interval instead of the 10th and shipped 91% of the +20% ones instead of 25%.
 */
const LATENCY_JUDGE: LatencyTest = { alpha: 0.01, margin: 0.25 };
/** Today's latency rule as a user would write it: histogram_quantile(0.99) of each version, compare.maxIncrease "20%", threshold 2. */
const P99_RULE = { bounds: comparison('20%'), failedChecks: 2 };
/** Istio's default buckets of istio_request_duration_milliseconds. */
const ISTIO_BOUNDS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, Infinity];
/** The primary's latency: lognormal, median 50 ms, p99 250 ms. */
const PRIMARY_LATENCY = { medianMs: 50, p99Ms: 250 } as const;

interface Case {
  readonly points: number;
  readonly share: number;
  readonly rps: number;
}

interface LatencyCase {
  /** The canary's p99 over the primary's, minus 1 (0.2: 20% slower). */
  readonly p99Increase: number;
  readonly share: number;
  readonly rps: number;
}

interface Outcome {
  /** The interval (1-based) the release was decided at, and how. */
  readonly at: number;
  readonly decision: 'rollback' | 'promote';
}

/** One case's releases: by the sequential test (without and with early promotion) and by the threshold rule. */
interface Outcomes {
  readonly judge: Outcome[];
  readonly early: Outcome[];
  readonly threshold: Outcome[];
}

type Kind = ErrorRateVerdict['kind'];

/** How one kind of data is generated and judged. */
interface Judges<T> {
  readonly generate: () => T;
  /** The sequential verdict after each interval, up to the first "worse". */
  readonly verdicts: (data: readonly T[]) => Kind[];
  readonly threshold: (data: readonly T[]) => Outcome;
}

function comparison(maxIncrease: string): ComparisonBounds {
  const parsed = parseComparison({ baseline: 'primary', maxIncrease });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.bounds;
}


function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function poisson(next: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(next)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = next(); p > limit; p *= next()) k++;
  return k;
}

/** Exact by inversion while the mean is small; the normal approximation beyond. */
function binomial(next: () => number, n: number, p: number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  const mean = n * p;
  if (mean > 50) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(next))));
  // (1-p)^n underflows as p nears 1: count the other outcome instead.
  if (p > 0.5) return n - binomial(next, n, 1 - p);
  let u = next();
  let k = 0;
  let pk = (1 - p) ** n;
  while (u > pk && k < n) {
    u -= pk;
    pk *= ((n - k) / (k + 1)) * (p / (1 - p));
    k++;
  }
  return k;
}


/**
 * The share of requests at most `ms`, for a version whose p99 is
 * (1 + increase) times the primary's: the primary's lognormal below the
 * median, its upper half stretched. The median stays where it is and the
 * canary is never faster, so the truth is plainly "slower" or "the same".
 */
function latencyCdf(ms: number, increase: number): number {
  if (ms === Infinity) return 1;
  const z = Math.log(ms / PRIMARY_LATENCY.medianMs);
  const p99 = z > 0 ? PRIMARY_LATENCY.p99Ms * (1 + increase) : PRIMARY_LATENCY.p99Ms;
  return standardNormalCdf(z / (Math.log(p99 / PRIMARY_LATENCY.medianMs) / Z99));
}

function interval(next: () => number, c: Case): ErrorCounts {
  const requests = c.rps * INTERVAL_S;
  const canary = poisson(next, requests * c.share);
  const primary = poisson(next, requests * (1 - c.share));
  return {
    canary: { requests: canary, errors: binomial(next, canary, PRIMARY_ERROR_RATE + c.points / 100) },
    primary: { requests: primary, errors: binomial(next, primary, PRIMARY_ERROR_RATE) },
  };
}

/**
 * One version's cumulative bucket counts of `requests` requests: a multinomial
 * over the buckets, drawn as one binomial per bucket of the requests not yet
 * placed (sampling each request's latency is too slow at 100/s).
 */
function histogram(next: () => number, requests: number, cdf: readonly number[]): number[] {
  let [placed, below] = [0, 0];
  return cdf.map((atMost) => {
    const rest = 1 - below;
    placed += atMost >= 1 ? requests - placed : binomial(next, requests - placed, rest > 0 ? (atMost - below) / rest : 0);
    below = atMost;
    return placed;
  });
}

function latencyInterval(next: () => number, c: LatencyCase, cdf: { readonly canary: readonly number[]; readonly primary: readonly number[] }): LatencyBuckets {
  const requests = c.rps * INTERVAL_S;
  return {
    bounds: ISTIO_BOUNDS,
    canary: histogram(next, poisson(next, requests * c.share), cdf.canary),
    primary: histogram(next, poisson(next, requests * (1 - c.share)), cdf.primary),
  };
}

function errorVerdicts(data: readonly ErrorCounts[]): Kind[] {
  let evidence = noEvidence();
  const kinds: Kind[] = [];
  for (const counts of data) {
    evidence = addInterval(evidence, counts, JUDGE);
    kinds.push(verdictOf(evidence, JUDGE).kind);
    if (kinds.at(-1) === 'worse') break;
  }
  return kinds;
}

function latencyVerdicts(data: readonly LatencyBuckets[]): Kind[] {
  let evidence = noLatencyEvidence();
  const kinds: Kind[] = [];
  for (const buckets of data) {
    evidence = addLatencyInterval(evidence, buckets, LATENCY_JUDGE);
    kinds.push(latencyVerdictOf(evidence, LATENCY_JUDGE).kind);
    if (kinds.at(-1) === 'worse') break;
  }
  return kinds;
}

/** The sequential test: rolls back on "worse"; with early promotion, promotes on "not worse"; else ships after the last interval. */
function sequential(kinds: readonly Kind[], early: boolean): Outcome {
  for (const [i, kind] of kinds.entries()) {
    if (kind === 'worse') return { at: i + 1, decision: 'rollback' };
    if (early && kind === 'not-worse') return { at: i + 1, decision: 'promote' };
  }
  return { at: INTERVALS, decision: 'promote' };
}

/** The threshold rule: a check fails or passes on each interval alone; `failedChecks` failures roll back. */
function thresholdRule(data: readonly unknown[], failedChecks: number, fails: (i: number) => boolean): Outcome {
  let failed = 0;
  for (const i of data.keys()) {
    if (fails(i)) failed++;
    if (failed >= failedChecks) return { at: i + 1, decision: 'rollback' };
  }
  return { at: data.length, decision: 'promote' };
}

function errorThreshold(data: readonly ErrorCounts[]): Outcome {
  return thresholdRule(data, THRESHOLD.failedChecks, (i) => {
    const canary = data[i]?.canary;
    return canary !== undefined && canary.requests > 0 && canary.errors / canary.requests > THRESHOLD.maxErrorRate;
  });
}

/** histogram_quantile(0.99) of one interval; NaN without requests, as Prometheus answers. */
function p99(bounds: readonly number[], counts: readonly number[]): number {
  if (!(counts.at(-1) ?? 0)) return Number.NaN;
  return histogramQuantile(bounds.map((le, i) => ({ le, count: counts[i] ?? 0 })), 0.99);
}

/** A p99 that is not a number fails the check, as judgeMetric fails any check without a value. */
function p99Threshold(data: readonly LatencyBuckets[]): Outcome {
  return thresholdRule(data, P99_RULE.failedChecks, (i) => {
    const buckets = data[i];
    if (buckets === undefined) return false;
    const [canary, primary] = [p99(buckets.bounds, buckets.canary), p99(buckets.bounds, buckets.primary)];
    return !(Number.isFinite(canary) && Number.isFinite(primary)) || !compareWithPrimary('p99', canary, primary, P99_RULE.bounds, 'ms').passed;
  });
}

/** Each release's data generated once and judged by all three. */
function simulate<T>(judges: Judges<T>): Outcomes {
  const outcomes: Outcomes = { judge: [], early: [], threshold: [] };
  for (let r = 0; r < RELEASES; r++) {
    const data = Array.from({ length: INTERVALS }, judges.generate);
    const kinds = judges.verdicts(data);
    outcomes.judge.push(sequential(kinds, false));
    outcomes.early.push(sequential(kinds, true));
    outcomes.threshold.push(judges.threshold(data));
  }
  return outcomes;
}

/** Wilson's 95% interval of a proportion, in percent. */
function wilson(k: number, n: number): string {
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return `${(100 * p).toFixed(1)}% [${(100 * Math.max(0, centre - half)).toFixed(1)}, ${(100 * (centre + half)).toFixed(1)}]`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) : Number.NaN;
}

/** The row of one case: wrong decisions and intervals to a decision, of the sequential test and of the threshold rule. */
function row(truth: string, good: boolean, where: { readonly share: number; readonly rps: number }, outcomes: Outcomes): string[] {
  const wrong = (o: readonly Outcome[]): string => wilson(o.filter((x) => x.decision === (good ? 'rollback' : 'promote')).length, o.length);
  const decided = (o: readonly Outcome[], decision: Outcome['decision']): string => {
    const at = o.filter((x) => x.decision === decision).map((x) => x.at);
    return at.length ? String(median(at)) : '-';
  };
  const when = good ? decided(outcomes.early, 'promote') : decided(outcomes.judge, 'rollback');
  const thresholdWhen = good ? decided(outcomes.threshold, 'promote') : decided(outcomes.threshold, 'rollback');
  return [truth, `${where.share * 100}%`, `${where.rps}/s`, wrong(outcomes.judge), wrong(outcomes.early), when, wrong(outcomes.threshold), thresholdWhen];
}

/** For a good release: how often and how soon early promotion ships it, against the INTERVALS of stepping through every weight. */
function earlyRow(test: string, where: { readonly share: number; readonly rps: number }, outcomes: Outcomes): string[] {
  const promoted = outcomes.early.filter((x) => x.decision === 'promote').map((x) => x.at);
  const early = promoted.filter((at) => at < INTERVALS).length;
  const [middle, mean] = [median(promoted), promoted.reduce((sum, at) => sum + at, 0) / promoted.length];
  const fewer = (at: number): string => `${Math.round((100 * (INTERVALS - at)) / INTERVALS)}%`;
  return [test, `${where.share * 100}%`, `${where.rps}/s`, wilson(early, outcomes.early.length), String(middle), mean.toFixed(1), fewer(middle), fewer(mean)];
}

function errorStudy(next: () => number, c: Case): Outcomes {
  return simulate({ generate: () => interval(next, c), verdicts: errorVerdicts, threshold: errorThreshold });
}

function latencyStudy(next: () => number, c: LatencyCase): Outcomes {
  const cdf = { canary: ISTIO_BOUNDS.map((le) => latencyCdf(le, c.p99Increase)), primary: ISTIO_BOUNDS.map((le) => latencyCdf(le, 0)) };
  return simulate({ generate: () => latencyInterval(next, c, cdf), verdicts: latencyVerdicts, threshold: p99Threshold });
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const HEADER = [
  'truth',
  'canary share',
  'requests',
  'sequential: wrong decision (95% CI)',
  'with early promotion: wrong',
  'sequential: median intervals (good: to early promotion; bad: to rollback)',
  'threshold rule: wrong (95% CI)',
  'threshold rule: median intervals',
];
const EARLY_HEADER = [
  'test, on good releases',
  'canary share',
  'requests',
  'promoted before the last interval (95% CI)',
  'median intervals to promote',
  'mean',
  `fewer than ${INTERVALS}: by the median`,
  'by the mean',
];

const next = seededRandom(SEED);
/** Where each truth is simulated: every canary share at every request rate. */
const TRAFFIC = SHARES.flatMap((share) => RATES.map((rps) => ({ share, rps })));
const [rows, latencyRows, earlyRows] = [[] as string[][], [] as string[][], [] as string[][]];
for (const points of [0, 0.5, 1, 2]) {
  for (const where of TRAFFIC) {
    const outcomes = errorStudy(next, { points, ...where });
    rows.push(row(points === 0 ? 'good' : `+${points} pt`, points === 0, where, outcomes));
    if (points === 0) earlyRows.push(earlyRow('error rates', where, outcomes));
  }
}
for (const p99Increase of [0, 0.2, 0.5]) {
  for (const where of TRAFFIC) {
    const outcomes = latencyStudy(next, { p99Increase, ...where });
    // Not "good" or "+…": the error-rate rows are the ones test/bench/cli.test.ts counts.
    latencyRows.push(row(p99Increase === 0 ? 'same p99' : `p99 +${p99Increase * 100}%`, p99Increase === 0, where, outcomes));
    if (p99Increase === 0) earlyRows.push(earlyRow('latency', where, outcomes));
  }
}
process.stdout.write(
  [
    `${RELEASES} releases per case, seed ${SEED}; a check every ${INTERVAL_S} s, ${INTERVALS} checks when stepping through every weight`,
    'wrong decision: a good release rolled back, or a bad one shipped',
    '',
    `Error rates: primary ${PRIMARY_ERROR_RATE * 100}% errors`,
    `sequential test: alpha ${JUDGE.alpha}, margin ${JUDGE.margin * 100}% (relative); threshold rule: more than ${(THRESHOLD.maxErrorRate * 100).toFixed(2)}% errors fails a check, ${THRESHOLD.failedChecks} failed checks roll back`,
    '',
    ...table(HEADER, rows),
    '',
    `Latency: primary lognormal, median ${PRIMARY_LATENCY.medianMs} ms, p99 ${PRIMARY_LATENCY.p99Ms} ms; the canary's upper half stretched to its p99; Istio's ${ISTIO_BOUNDS.length} buckets`,
    `sequential test: alpha ${LATENCY_JUDGE.alpha}, margin ${LATENCY_JUDGE.margin * 100}% (relative, on the share slower than each bound); threshold rule: histogram_quantile(0.99) of the interval more than 20% above the primary's fails a check, ${P99_RULE.failedChecks} failed checks roll back`,
    '',
    ...table(HEADER, latencyRows),
    '',
    `Early promotion of good releases on "not worse", against ${INTERVALS} intervals stepping through every weight (target: at least 30% fewer)`,
    '',
    ...table(EARLY_HEADER, earlyRows),
    '',
  ].join('\n'),
);
