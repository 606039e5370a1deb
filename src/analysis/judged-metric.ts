import { JudgeConclusion, JudgeTest, type JudgeSpec, type MetricResult, type MetricSpec } from '../api/types.gen.js';
import type { RangeOutcome, RangeSeries } from '../metrics/provider.js';
import { parseCompareBound } from './compare.js';
import { formatNumber, withUnit } from './format.js';
import { addInterval, noEvidence, verdictOf, type ErrorRateEvidence } from './sequential/error-rates.js';
import { errorCountsOf, latencyBucketsOf } from './sequential/intervals.js';
import { addLatencyInterval, latencyVerdictOf, noLatencyEvidence } from './sequential/latency.js';
import { describeOutcome } from './verdict.js';
import { DEFAULTS } from '../api/schema/defaults.js';

const NO_CANARY_REQUESTS = 'no requests reached the canary yet: is it receiving traffic?';

/** What both tests conclude, in the words and numbers status shows. */
interface Judgement {
  readonly kind: JudgeConclusion;
  readonly eWorse: number;
  readonly eNotWorse: number;
  readonly canary: number;
  readonly primary: number;
  /** "canary errors 2.1% vs primary 0.4%", "canary p99 310 ms vs primary 250 ms". */
  readonly subject: string;
}

/**
 * Judges the canary against the primary over every whole interval since the
 * release started, as both versions' range queries returned them (read
 * afresh at each check, so the judge keeps no state of its own and a
 * restarted or another replica reaches the same verdict; a backtest hands it
 * one release's slice of a longer range query). The intervals are anchored
 * at the release's start, so each is the same at every look: that is what
 * lets the test be consulted at every check (see sequential/error-rates.ts).
 *
 * Worse fails the check (and decide() rolls back at once); not yet known
 * passes it, so the release goes on stepping; not worse passes it and, with
 * promoteEarly, lets decide() promote. No request to the canary at all fails:
 * a release never moves on without evidence.
 */
export function judgeIntervals(metric: MetricSpec & { readonly judge: JudgeSpec }, canary: RangeOutcome, primary: RangeOutcome, unit: string, now: Date): MetricResult {
  const base = { name: metric.name, time: now.toISOString() };
  if (canary.kind !== 'series') return { ...base, passed: false, message: describeOutcome(metric.name, canary, 'canary') };
  if (primary.kind !== 'series') return { ...base, passed: false, message: describeOutcome(metric.name, primary, 'primary') };
  const judgement = judge(metric.judge, canary, primary, unit);
  if (typeof judgement === 'string') return { ...base, passed: false, message: `${metric.name}: ${judgement}` };
  const { kind, eWorse } = judgement;
  return {
    ...base,
    value: judgement.canary,
    primaryValue: judgement.primary,
    passed: kind !== JudgeConclusion.Worse,
    conclusion: kind,
    eValue: eWorse,
    message: `${metric.name}: ${judgement.subject}: ${inWords(judgement, metric.judge)}`,
  };
}

function judge(spec: JudgeSpec, canary: RangeOutcome & { kind: 'series' }, primary: RangeOutcome & { kind: 'series' }, unit: string): Judgement | string {
  const test = { alpha: spec.alpha ?? DEFAULTS.judgeAlpha, margin: marginOf(spec) };
  switch (spec.test) {
    case JudgeTest.ErrorRate:
      return judgeErrors(canary.series, primary.series, test);
    case JudgeTest.Latency:
      return judgeLatency(canary.series, primary.series, test, unit);
  }
}

function judgeErrors(canary: readonly RangeSeries[], primary: readonly RangeSeries[], test: { alpha: number; margin: number }): Judgement | string {
  const parsed = errorCountsOf(canary, primary);
  if (!parsed.ok) return parsed.message;
  const evidence = parsed.intervals.reduce<ErrorRateEvidence>((e, counts) => addInterval(e, counts, test), noEvidence());
  if (evidence.canary.requests === 0) return NO_CANARY_REQUESTS;
  const v = verdictOf(evidence, test);
  const [c, p] = [v.canaryRate * 100, v.primaryRate * 100];
  return { ...v, canary: c, primary: p, subject: `canary errors ${formatNumber(c)}% vs primary ${formatNumber(p)}% (${evidence.canary.errors} of ${evidence.canary.requests} vs ${evidence.primary.errors} of ${evidence.primary.requests} requests)` };
}

function judgeLatency(canary: readonly RangeSeries[], primary: readonly RangeSeries[], test: { alpha: number; margin: number }, unit: string): Judgement | string {
  const parsed = latencyBucketsOf(canary, primary);
  if (!parsed.ok) return parsed.message;
  if (!parsed.intervals.some((b) => (b.canary.at(-1) ?? 0) > 0)) return NO_CANARY_REQUESTS;
  const evidence = parsed.intervals.reduce((e, buckets) => addLatencyInterval(e, buckets, test), noLatencyEvidence());
  const v = latencyVerdictOf(evidence, test);
  return { ...v, canary: v.canaryP99, primary: v.primaryP99, subject: `canary p99 ${withUnit(v.canaryP99, unit)} vs primary ${withUnit(v.primaryP99, unit)} (from the histogram buckets)` };
}

/** "20%" → 0.2. The CRD admits only percentages; anything else a hand-written object carries reads as the default. */
function marginOf(spec: JudgeSpec): number {
  const parsed = parseCompareBound(spec.margin ?? DEFAULTS.judgeMargin);
  return parsed.ok && parsed.bound.kind === 'percent' ? parsed.bound.amount / 100 : Number.parseFloat(DEFAULTS.judgeMargin) / 100;
}

/** The verdict with its anytime-valid p-value (1/e): "worse, p≤0.008". */
function inWords(j: Judgement, spec: JudgeSpec): string {
  const margin = spec.margin ?? DEFAULTS.judgeMargin;
  switch (j.kind) {
    case JudgeConclusion.Worse:
      return `worse than the primary by more than ${margin}, ${pValue(j.eWorse, '≤')}`;
    case JudgeConclusion.NotWorse:
      return `not worse than the primary by ${margin}, ${pValue(j.eNotWorse, '≤')}`;
    case JudgeConclusion.Unknown:
      return `not yet known (worse: ${pValue(j.eWorse, '=')}, not worse: ${pValue(j.eNotWorse, '=')})`;
  }
}

/** The anytime-valid p-value 1/e, two significant digits, and below 0.0001 just that. */
function pValue(e: number, relation: '≤' | '='): string {
  const p = Math.min(1, 1 / e);
  return p < 0.0001 ? 'p<0.0001' : `p${relation}${String(Number(p.toPrecision(2)))}`;
}
