import { renderQuery, type QueryVariables, type RenderResult } from './render.js';

/** Metrics every Istio mesh has, usable by name without a query. */
export const BuiltinMetric = {
  RequestSuccessRate: 'request-success-rate',
  RequestDuration: 'request-duration',
  /** The canary's error-budget burn rate (spec.analysis.metrics[].errorBudget), read from the same counts as the judge's errorRate. */
  ErrorBudgetBurn: 'error-budget-burn',
} as const;
export type BuiltinMetric = (typeof BuiltinMetric)[keyof typeof BuiltinMetric];
/** The built-ins the sequential judge can decide. */
export type JudgedBuiltin = typeof BuiltinMetric.RequestSuccessRate | typeof BuiltinMetric.RequestDuration;

export interface BuiltinDefinition {
  /** Query template, rendered like a user's. */
  readonly query: string;
  /** Unit for messages ("ms"), or empty. */
  readonly unit: string;
}

/** Istio's labels of one Deployment or DaemonSet version: its own workload (the target, or `<target>-primary`). */
const WORKLOAD = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';

/**
 * A StatefulSet's two versions are one workload to Istio (the StatefulSet's
 * name): they are told apart by the per-version Service each is reached
 * through, `<service>-canary` or `<service>-primary` (docs/statefulsets.md).
 */
const VERSION_SERVICE = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_service_name="{{ versionService }}"';

/** The built-ins' queries for versions told apart by `selector`. */
function queriesFor(selector: string): { plain: Readonly<Record<BuiltinMetric, BuiltinDefinition>>; judged: Readonly<Record<JudgedBuiltin, string>> } {
  /**
   * Percentage of non-5xx responses. The numerator falls back to 0 so a canary
   * answering only 5xx (no non-5xx series exists yet) reads 0%, not "no data";
   * with no requests at all the denominator is empty and so is the result.
   */
  const successRate = [
    `(sum(rate(istio_requests_total{${selector},response_code!~"5.."}[{{ interval }}])) or on() vector(0))`,
    ` / sum(rate(istio_requests_total{${selector}}[{{ interval }}])) * 100`,
  ].join('');
  /** p99 latency in milliseconds. */
  const duration = `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${selector}}[{{ interval }}])) by (le))`;
  /**
   * What the sequential judge reads for a built-in (spec.analysis.metrics[].judge):
   * counts of one interval, not a ratio, so it can weigh them. Requests and
   * 5xx responses as two series labelled count="requests" / count="errors"
   * (no 5xx yet: no errors series, read as 0); latency buckets by le.
   */
  const counts = [
    `label_replace(sum(increase(istio_requests_total{${selector}}[{{ interval }}])), "count", "requests", "", "")`,
    ` or label_replace(sum(increase(istio_requests_total{${selector},response_code=~"5.."}[{{ interval }}])), "count", "errors", "", "")`,
  ].join('');
  const buckets = `sum by (le) (increase(istio_request_duration_milliseconds_bucket{${selector}}[{{ interval }}]))`;
  return {
    plain: {
      [BuiltinMetric.RequestSuccessRate]: { query: successRate, unit: '' },
      [BuiltinMetric.RequestDuration]: { query: duration, unit: 'ms' },
      // Counts per interval, summed into each burn-rate window (analysis/burn/): one range query serves every window.
      [BuiltinMetric.ErrorBudgetBurn]: { query: counts, unit: '×' },
    },
    judged: { [BuiltinMetric.RequestSuccessRate]: counts, [BuiltinMetric.RequestDuration]: buckets },
  };
}

const BY_WORKLOAD = queriesFor(WORKLOAD);
const BY_VERSION_SERVICE = queriesFor(VERSION_SERVICE);

export const JUDGED_BUILTIN_QUERIES: Readonly<Record<JudgedBuiltin, string>> = BY_WORKLOAD.judged;

export const BUILTIN_METRICS: Readonly<Record<BuiltinMetric, BuiltinDefinition>> = BY_WORKLOAD.plain;

/** A built-in's query for a target kind, judged (when the judge can decide it) or not: by workload, or by per-version Service for a StatefulSet. */
export function builtinDefinition(name: BuiltinMetric, byVersionService: boolean, judged: boolean): BuiltinDefinition {
  const set = byVersionService ? BY_VERSION_SERVICE : BY_WORKLOAD;
  return judged && isJudgedBuiltin(name) ? { ...set.plain[name], query: set.judged[name] } : set.plain[name];
}

export function isJudgedBuiltin(name: string): name is JudgedBuiltin {
  return Object.hasOwn(JUDGED_BUILTIN_QUERIES, name);
}

export function isBuiltinMetric(name: string): name is BuiltinMetric {
  return Object.hasOwn(BUILTIN_METRICS, name);
}

/** Renders a built-in for one workload. */
export function builtinQuery(name: BuiltinMetric, vars: QueryVariables): RenderResult {
  return renderQuery(BUILTIN_METRICS[name].query, vars);
}
