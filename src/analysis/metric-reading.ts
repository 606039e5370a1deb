import { QueryOutcomeKind, type QueryOutcome, type RangeOutcome, type RangeSeries, type RangeWindow } from '../metrics/provider.js';
import { ReadingKind, type MetricReading } from './metric-verdict.js';
import type { PreparedMetric } from './prepared-metric.js';

/** How many series' labels a multiple-series outcome keeps, as the provider's instant answers do. */
const MAX_SERIES_SHOWN = 3;

/** The release's whole intervals at `now`: their ends, from one interval after the start up to now; undefined before the first ends. */
export function releaseWindow(since: Date, stepSeconds: number, now: Date): RangeWindow | undefined {
  const first = since.getTime() + stepSeconds * 1000;
  return now.getTime() < first ? undefined : { start: new Date(first), end: now, stepSeconds };
}

/** Reads a metric as a live check does: an instant query per version, or range queries over the release's intervals so far. */
export async function readNow(prepared: PreparedMetric, kind: ReadingKind, window: RangeWindow, signal?: AbortSignal): Promise<MetricReading> {
  const { provider, queries } = prepared;
  switch (kind) {
    case ReadingKind.Instant: {
      const [canary, primary] = await Promise.all([
        provider.instantQuery(queries.canary, signal),
        queries.primary === undefined ? undefined : provider.instantQuery(queries.primary, signal),
      ]);
      return { kind, canary, primary };
    }
    case ReadingKind.Intervals: {
      const [canary, primary] = await Promise.all([
        provider.rangeQuery(queries.canary, window, signal),
        queries.primary === undefined ? undefined : provider.rangeQuery(queries.primary, window, signal),
      ]);
      return { kind, canary, primary, stepSeconds: window.stepSeconds };
    }
  }
}

/** Range queries over a whole backtest window, one per version, step = the analysis interval. */
export interface RangeReadings {
  readonly canary: RangeOutcome;
  readonly primary?: RangeOutcome | undefined;
}

/**
 * What a check at `at` (unix seconds, a step of the range queries) of a
 * release begun at `releaseStart` would have read: the instant value at
 * that step (a range query evaluates the expression at each step exactly as
 * an instant query at that time would), or the release's intervals so far.
 */
export function readAt(ranges: RangeReadings, kind: ReadingKind, at: number, releaseStart: number, stepSeconds: number): MetricReading {
  switch (kind) {
    case ReadingKind.Instant:
      return { kind, canary: outcomeAt(ranges.canary, at), primary: ranges.primary && outcomeAt(ranges.primary, at) };
    case ReadingKind.Intervals: {
      const slice = (range: RangeOutcome): RangeOutcome => sliceRange(range, releaseStart, at);
      return { kind, canary: slice(ranges.canary), primary: ranges.primary && slice(ranges.primary), stepSeconds };
    }
  }
}

/** The instant outcome at one step of a range query: what the provider makes of an instant query's vector. */
export function outcomeAt(range: RangeOutcome, at: number): QueryOutcome {
  if (range.kind !== 'series') return range;
  const present = range.series.flatMap((s) => {
    const point = s.points.find(([t]) => t === at);
    return point ? [{ labels: s.labels, value: point[1] }] : [];
  });
  const [first] = present;
  if (!first) return { kind: QueryOutcomeKind.NoData };
  if (present.length > 1) return { kind: QueryOutcomeKind.MultipleSeries, count: present.length, series: present.slice(0, MAX_SERIES_SHOWN).map((p) => p.labels) };
  if (!Number.isFinite(first.value)) return { kind: QueryOutcomeKind.NotFinite, value: first.value };
  return { kind: QueryOutcomeKind.Value, value: first.value };
}

/** The points of (after, upTo]: the intervals ending after the release began, up to the check. */
function sliceRange(range: RangeOutcome, after: number, upTo: number): RangeOutcome {
  if (range.kind !== 'series') return range;
  const series: RangeSeries[] = range.series
    .map((s) => ({ labels: s.labels, points: s.points.filter(([t]) => t > after && t <= upTo) }))
    .filter((s) => s.points.length > 0);
  return { kind: 'series', series };
}
