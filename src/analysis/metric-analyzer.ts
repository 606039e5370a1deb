import type { MetricResult, MetricSpec, Rollout } from '../api/types.gen.js';
import type { AnalysisContext, Analyzer } from './analyzer.js';
import type { AnalysisVerdict } from '../domain/model.js';
import { metricInterval } from './metric-query.js';
import { failedMetric } from './verdict.js';
import { parseDuration } from '../api/duration.js';
import { prepareMetric, type PrepareDeps, type PreparedMetric } from './prepared-metric.js';
import { readNow, releaseWindow } from './metric-reading.js';
import { ReadingKind, beforeFirstInterval, readingKindOf, verdictOf } from './metric-verdict.js';
import { DEFAULTS } from '../api/schema/defaults.js';

/** Everything the analyzer reads or calls, so tests can pass their own. */
export interface MetricAnalyzerDeps extends PrepareDeps {
  readonly now: () => Date;
}

/**
 * Runs a Rollout's metrics, each on the provider its MetricTemplate names
 * (the default provider, Prometheus at --prometheus-url, without one). Each
 * metric is resolved (built-in, inline query or MetricTemplate), rendered for
 * the canary (and the primary when it compares with it), syntax-checked,
 * queried and judged (metric-verdict.ts, which backtests use too). Every
 * failure, including a missing template or Secret and an unknown provider
 * type, becomes a failed result.
 */
export class MetricAnalyzer implements Analyzer {
  private readonly deps: MetricAnalyzerDeps;

  constructor(deps: MetricAnalyzerDeps) {
    this.deps = deps;
  }

  async analyze(rollout: Rollout, context: AnalysisContext, signal?: AbortSignal): Promise<AnalysisVerdict> {
    const metrics = rollout.spec.analysis?.metrics ?? [];
    const results = await Promise.all(metrics.map((metric, index) => this.runMetric(rollout, metric, index, context, signal)));
    const failed = results.filter((r) => !r.passed);
    return { passed: failed.length === 0, results, reason: failed.map((r) => r.message).join('; ') };
  }

  private async runMetric(rollout: Rollout, metric: MetricSpec, index: number, context: AnalysisContext, signal?: AbortSignal): Promise<MetricResult> {
    const now = this.deps.now();
    let prepared: PreparedMetric | string;
    try {
      prepared = await prepareMetric(this.deps, rollout, metric, index, context, signal);
    } catch (err: unknown) {
      prepared = `${metric.name} not checked: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (typeof prepared === 'string') return failedMetric(metric, prepared, now);
    const step = stepSeconds(rollout, metric);
    const window = releaseWindow(releaseStart(rollout, now), step, now);
    const kind = readingKindOf(metric);
    // Instant queries ignore the window; intervals need a whole one.
    if (!window && kind === ReadingKind.Intervals) return beforeFirstInterval(metric, new Date(releaseStart(rollout, now).getTime() + step * 1000), now);
    const reading = await readNow(prepared, kind, window ?? { start: now, end: now, stepSeconds: step }, signal);
    return verdictOf(metric, reading, prepared.unit, now);
  }
}

/** Where intervals start: the release's start (a release begun before the field existed: its last phase change). */
function releaseStart(rollout: Rollout, now: Date): Date {
  const at = Date.parse(rollout.status?.releaseStartTime ?? rollout.status?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? now : new Date(at);
}

/** The interval in whole seconds, the step of range queries. */
export function stepSeconds(rollout: Rollout, metric: MetricSpec): number {
  return Math.max(1, Math.round((parseDuration(metricInterval(rollout, metric)) ?? parseDuration(DEFAULTS.analysisInterval) ?? 60_000) / 1000));
}
