import { JudgeConclusion, type MetricResult, type MetricSpec } from '../api/types.gen.js';
import type { QueryOutcome, RangeOutcome } from '../metrics/provider.js';
import { judgeBurn } from './burn/burn-metric.js';
import { judgeIntervals } from './judged-metric.js';
import { failedMetric, judgeMetric } from './verdict.js';

/**
 * How a check reads a metric: one instant value per version (thresholdRange,
 * compare), or every whole interval of the release so far (the judge, the
 * error-budget-burn windows).
 */
export const ReadingKind = { Instant: 'instant', Intervals: 'intervals' } as const;
export type ReadingKind = (typeof ReadingKind)[keyof typeof ReadingKind];

/** What one check of a metric read: from instant queries at run time, or from a point (or a release's slice) of range queries in a backtest. */
export type MetricReading =
  | { readonly kind: typeof ReadingKind.Instant; readonly canary: QueryOutcome; readonly primary?: QueryOutcome | undefined }
  | { readonly kind: typeof ReadingKind.Intervals; readonly canary: RangeOutcome; readonly primary?: RangeOutcome | undefined; readonly stepSeconds: number };

export function readingKindOf(metric: MetricSpec): ReadingKind {
  return metric.judge || metric.errorBudget ? ReadingKind.Intervals : ReadingKind.Instant;
}

/**
 * The verdict on one metric from what its check read. The only verdict code:
 * the controller's analysis and `kubectl flowshift backtest` both end here,
 * so a backtest says what the controller would have said.
 */
export function verdictOf(metric: MetricSpec, reading: MetricReading, unit: string, now: Date): MetricResult {
  switch (reading.kind) {
    case ReadingKind.Instant:
      return judgeMetric({ metric, canary: reading.canary, ...(reading.primary ? { primary: reading.primary } : {}), unit, now });
    case ReadingKind.Intervals: {
      const { errorBudget, judge } = metric;
      if (errorBudget) return judgeBurn({ name: metric.name, errorBudget }, reading.canary, reading.stepSeconds, now);
      if (!judge) return failedMetric(metric, `${metric.name}: read as intervals, but it has neither judge nor errorBudget`, now);
      if (!reading.primary) return failedMetric(metric, `${metric.name}: the primary's query was not rendered`, now);
      return judgeIntervals({ ...metric, judge }, reading.canary, reading.primary, unit, now);
    }
  }
}

/**
 * A metric read as intervals, checked before the release's first interval
 * ended: the judge has nothing to weigh yet and lets the release go on; an
 * error budget has nothing to measure and, like a check without data, fails.
 */
export function beforeFirstInterval(metric: MetricSpec, firstEnds: Date, now: Date): MetricResult {
  const message = `${metric.name}: no whole interval of the release yet (the first ends at ${firstEnds.toISOString()})`;
  if (metric.errorBudget) return failedMetric(metric, message, now);
  return { name: metric.name, time: now.toISOString(), passed: true, conclusion: JudgeConclusion.Unknown, message };
}
