import type { MetricMeasurement, MetricResult, Rollout, ThresholdRange } from '../../api/types.gen.js';

/** One measurement of a metric as the chart plots it: null where the query returned no data. */
export interface ChartPoint {
  readonly time: string;
  readonly weight: number | null;
  readonly canary: number | null;
  readonly primary: number | null;
  readonly passed: boolean;
}

/** A metric's measurements in the release of status.lastAppliedSpec, oldest first, and the bound they were checked against. */
export interface MetricSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  readonly bound: ThresholdRange;
  /** The latest result in words, as `status` prints it. */
  readonly latest: { readonly passed: boolean; readonly message: string };
}

/**
 * Each metric of status.analysis as a series: its history (one measurement
 * per analysis interval, the last spec.analysis.historyLimit of them) and
 * the latest result. The status is the only source: it holds every
 * measurement the controller judged by, and nothing it did not.
 */
export function metricSeries(rollout: Rollout): MetricSeries[] {
  return (rollout.status?.analysis ?? []).map((result) => ({
    name: result.name,
    points: [...(result.history ?? []), result].map(pointOf),
    bound: result.thresholdRange ?? {},
    latest: { passed: result.passed, message: result.message },
  }));
}

function pointOf(m: MetricMeasurement | MetricResult): ChartPoint {
  return { time: m.time, weight: m.weight ?? null, canary: m.value ?? null, primary: m.primaryValue ?? null, passed: m.passed };
}
