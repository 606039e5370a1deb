// npm run bench:judge [-- --releases 1000 --seed 1 --interval 60 --primary-errors 1]
//
// The simulation study of issue 23: releases with a known truth (a good
// canary, or one with +0.5, +1, +2 points of errors over the primary's),
// at 5%, 10% and 25% canary traffic and 10 or 100 requests/s, judged on the
// same generated counts by the sequential error-rate test
// (src/analysis/sequential/error-rates.ts) and by today's threshold rule.
// Prints, per case: false rollbacks of good releases (with a 95% interval),
// missed bad releases, and intervals to a decision.
import { parseArgs } from 'node:util';
import { readArguments, usage } from './cli.js';
import { addInterval, noEvidence, verdictOf, type ErrorCounts, type ErrorRateTest } from '../src/analysis/sequential/error-rates.js';

const NAME = 'npm run bench:judge';
const OPTIONS = {
  releases: { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
  interval: { type: 'string', default: '60' },
  'primary-errors': { type: 'string', default: '1' },
} as const;
const HELP = usage(
  NAME,
  'Simulates releases with a known truth and judges each by the sequential error-rate test and by the threshold rule, on the same counts.',
  {
    releases: { value: '<n>', text: 'simulated releases per case' },
    seed: { value: '<n>', text: 'seed of the generator (the same seed, the same figures)' },
    interval: { value: '<seconds>', text: 'time between checks' },
    'primary-errors': { value: '<percent>', text: "the primary's error rate" },
  },
  OPTIONS,
);
const { RELEASES, SEED, INTERVAL_S, PRIMARY_ERROR_RATE } = readArguments(NAME, HELP, (args) => {
  const { values } = parseArgs({ args, options: OPTIONS });
  const [releases, seed, interval, errors] = [Number(values.releases), Number(values.seed), Number(values.interval), Number(values['primary-errors'])];
  if (!Number.isInteger(releases) || releases < 1) throw new Error(`--releases ${values.releases}: expected a whole number ≥ 1`);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed}: expected a whole number`);
  if (!(interval > 0)) throw new Error(`--interval ${values.interval}: expected seconds above 0`);
  if (!(errors >= 0 && errors < 97)) throw new Error(`--primary-errors ${values['primary-errors']}: expected a percentage from 0 to 97`);
  return { RELEASES: releases, SEED: seed, INTERVAL_S: interval, PRIMARY_ERROR_RATE: errors / 100 };
});

/** The release every case simulates: ten checks when it steps through every weight. */
const INTERVALS = 10;
const JUDGE: ErrorRateTest = { alpha: 0.01, margin: 0.25 };
/** Today's rule as a user would write it: thresholdRange max at the primary's error rate plus a point, threshold 2. */
const THRESHOLD = { maxErrorRate: PRIMARY_ERROR_RATE + 0.01, failedChecks: 2 };

interface Case {
  readonly points: number;
  readonly share: number;
  readonly rps: number;
}

interface Outcome {
  /** The interval (1-based) the release was decided at, and how. */
  readonly at: number;
  readonly decision: 'rollback' | 'promote';
}

/** A seeded generator (mulberry32), so a study can be run again to the same figures. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  const mean = n * p;
  if (mean > 50) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(next))));
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

function interval(next: () => number, c: Case): ErrorCounts {
  const requests = c.rps * INTERVAL_S;
  const canary = poisson(next, requests * c.share);
  const primary = poisson(next, requests * (1 - c.share));
  return {
    canary: { requests: canary, errors: binomial(next, canary, PRIMARY_ERROR_RATE + c.points / 100) },
    primary: { requests: primary, errors: binomial(next, primary, PRIMARY_ERROR_RATE) },
  };
}

/** The sequential test: rolls back on "worse"; with early promotion, promotes on "not worse"; else ships after the last interval. */
function judge(data: readonly ErrorCounts[], early: boolean): Outcome {
  let evidence = noEvidence();
  for (const [i, counts] of data.entries()) {
    evidence = addInterval(evidence, counts, JUDGE);
    const verdict = verdictOf(evidence, JUDGE);
    if (verdict.kind === 'worse') return { at: i + 1, decision: 'rollback' };
    if (early && verdict.kind === 'not-worse') return { at: i + 1, decision: 'promote' };
  }
  return { at: data.length, decision: 'promote' };
}

function threshold(data: readonly ErrorCounts[]): Outcome {
  let failed = 0;
  for (const [i, { canary }] of data.entries()) {
    if (canary.requests > 0 && canary.errors / canary.requests > THRESHOLD.maxErrorRate) failed++;
    if (failed >= THRESHOLD.failedChecks) return { at: i + 1, decision: 'rollback' };
  }
  return { at: data.length, decision: 'promote' };
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

function study(c: Case, next: () => number): string[] {
  const outcomes = { judge: [] as Outcome[], early: [] as Outcome[], threshold: [] as Outcome[] };
  for (let r = 0; r < RELEASES; r++) {
    const data = Array.from({ length: INTERVALS }, () => interval(next, c));
    outcomes.judge.push(judge(data, false));
    outcomes.early.push(judge(data, true));
    outcomes.threshold.push(threshold(data));
  }
  const good = c.points === 0;
  const wrong = (o: readonly Outcome[]): string => wilson(o.filter((x) => x.decision === (good ? 'rollback' : 'promote')).length, o.length);
  const decided = (o: readonly Outcome[], decision: Outcome['decision']): string => {
    const at = o.filter((x) => x.decision === decision).map((x) => x.at);
    return at.length ? String(median(at)) : '-';
  };
  const truth = good ? 'good' : `+${c.points} pt`;
  const when = good ? decided(outcomes.early, 'promote') : decided(outcomes.judge, 'rollback');
  return [truth, `${c.share * 100}%`, `${c.rps}/s`, wrong(outcomes.judge), wrong(outcomes.early), when, wrong(outcomes.threshold), good ? decided(outcomes.threshold, 'promote') : decided(outcomes.threshold, 'rollback')];
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

const next = random(SEED);
const rows: string[][] = [];
for (const points of [0, 0.5, 1, 2]) {
  for (const share of [0.05, 0.1, 0.25]) {
    for (const rps of [10, 100]) rows.push(study({ points, share, rps }, next));
  }
}
const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
process.stdout.write(
  [
    `${RELEASES} releases per case, seed ${SEED}; primary ${PRIMARY_ERROR_RATE * 100}% errors; a check every ${INTERVAL_S} s, ${INTERVALS} checks when stepping through every weight`,
    `sequential test: alpha ${JUDGE.alpha}, margin ${JUDGE.margin * 100}% (relative); threshold rule: more than ${(THRESHOLD.maxErrorRate * 100).toFixed(2)}% errors fails a check, ${THRESHOLD.failedChecks} failed checks roll back`,
    'wrong decision: a good release rolled back, or a bad one shipped',
    '',
    line(HEADER),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n'),
);
