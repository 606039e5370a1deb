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

const WORKLOAD = 'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"';

/**
 * Percentage of non-5xx responses. The numerator falls back to 0 so a canary
 * answering only 5xx (no non-5xx series exists yet) reads 0%, not "no data";
 * with no requests at all the denominator is empty and so is the result.
 */
const REQUEST_SUCCESS_RATE = [
  `(sum(rate(istio_requests_total{${WORKLOAD},response_code!~"5.."}[{{ interval }}])) or on() vector(0))`,
  ` / sum(rate(istio_requests_total{${WORKLOAD}}[{{ interval }}])) * 100`,
].join('');

/** p99 latency in milliseconds. */
const REQUEST_DURATION =
  `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${WORKLOAD}}[{{ interval }}])) by (le))`;

/**
 * What the sequential judge reads for a built-in (spec.analysis.metrics[].judge):
 * counts of one interval, not a ratio, so it can weigh them. Requests and
 * 5xx responses as two series labelled count="requests" / count="errors"
 * (no 5xx yet: no errors series, read as 0); latency buckets by le.
 */
const REQUEST_COUNTS = [
  `label_replace(sum(increase(istio_requests_total{${WORKLOAD}}[{{ interval }}])), "count", "requests", "", "")`,
  ` or label_replace(sum(increase(istio_requests_total{${WORKLOAD},response_code=~"5.."}[{{ interval }}])), "count", "errors", "", "")`,
].join('');
const DURATION_BUCKETS = `sum by (le) (increase(istio_request_duration_milliseconds_bucket{${WORKLOAD}}[{{ interval }}]))`;

export const JUDGED_BUILTIN_QUERIES: Readonly<Record<JudgedBuiltin, string>> = {
  [BuiltinMetric.RequestSuccessRate]: REQUEST_COUNTS,
  [BuiltinMetric.RequestDuration]: DURATION_BUCKETS,
};

export const BUILTIN_METRICS: Readonly<Record<BuiltinMetric, BuiltinDefinition>> = {
  [BuiltinMetric.RequestSuccessRate]: { query: REQUEST_SUCCESS_RATE, unit: '' },
  [BuiltinMetric.RequestDuration]: { query: REQUEST_DURATION, unit: 'ms' },
  // Counts per interval, summed into each burn-rate window (analysis/burn/): one range query serves every window.
  [BuiltinMetric.ErrorBudgetBurn]: { query: REQUEST_COUNTS, unit: '×' },
};

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
